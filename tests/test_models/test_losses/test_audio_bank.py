# Copyright (c) mmavs contributors. All rights reserved.
"""The per-class audio memory bank of CAVP appendix B.1."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.models.fusion import AVCrossAttention
from mmavs.models.losses import CAVPLoss, ClassAudioBank
from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()
TINY_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))),
    'configs', 'cavp', 'cavp_r18-tiny_1xb4-2e_synthetic-avss-64x64.py')


def test_push_keeps_single_class_clips_fifo():
    bank = ClassAudioBank(size=2)
    clips = torch.arange(5.)[:, None].expand(5, 3)
    bank.push(clips, [(1, ), (1, 2), (), (3, ), (1, )])
    assert sorted(bank.clips) == [1, 3] and len(bank) == 3
    assert bank.clips[1][:, 0].tolist() == [0, 4]
    bank.push(clips[2:3] + 10, [(1, )])  # the oldest clip of class 1 leaves
    assert bank.clips[1][:, 0].tolist() == [4, 12]
    assert bank.clips[3][:, 0].tolist() == [3]


def test_draw_rules_by_hand():
    bank = ClassAudioBank(size=4, replace_fraction=1.0)
    bank.push(torch.tensor([[10.], [11.], [30.]]), [(1, ), (1, ), (3, )])
    heard = [(1, ), (2, ), (1, 3), (3, ), (1, )]
    pairs = [(2, ), (1, ), (1, ), (3, ), (2, )]
    torch.manual_seed(0)
    idx, clips = bank.draw(heard, pairs)
    # 3 matches its audio; 1's class has no clip; 2 hears two classes
    assert sorted(idx) == [0, 4]
    assert all(c.item() in (10., 11.) for c in clips)
    torch.manual_seed(0)
    again = bank.draw(heard, pairs)
    assert again[0] == idx and torch.equal(again[1], clips)
    # half of the 4 mismatched frames (0, 1, 2, 4) are drawn, then
    # filtered, as the official code does
    bank.replace_fraction = 0.5
    for seed in range(6):
        torch.manual_seed(seed)
        drawn = [[0, 1, 2, 4][j] for j in torch.randperm(4)[:2]]
        torch.manual_seed(seed)
        assert bank.draw(heard, pairs)[0] == [i for i in drawn if i in (0, 4)]
    assert ClassAudioBank().draw([(1, )], [(2, )]) == ([], None)


def test_bank_state_dict_is_tensors():
    bank = ClassAudioBank(size=2)
    empty = bank.state_dict()
    # tensors only: mmengine broadcasts every state-dict entry at start-up
    assert empty['classes'].shape == (0, ) and empty['clips'].numel() == 0
    bank.push(torch.arange(4.)[:, None], [(3, ), (1, ), (3, ), (1, 2)])
    state = bank.state_dict()
    assert state['classes'].tolist() == [3, 3, 1]
    assert state['clips'][:, 0].tolist() == [0, 2, 1]
    restored = ClassAudioBank(size=2)
    restored.load_state_dict(state)  # strict
    assert restored.clips.keys() == bank.clips.keys()
    assert all(torch.equal(restored.clips[c], bank.clips[c]) for c in (1, 3))
    restored.load_state_dict(empty)
    assert len(restored) == 0
    with pytest.raises(RuntimeError, match='Missing key.*"clips"'):
        restored.load_state_dict(dict(classes=state['classes']))


def test_bad_bank_config():
    with pytest.raises(ValueError, match='size'):
        ClassAudioBank(size=0)
    with pytest.raises(ValueError, match='replace_fraction'):
        ClassAudioBank(replace_fraction=2)
    with pytest.raises(TypeError):
        CAVPLoss(memory_bank=dict(sise=4))
    with pytest.raises(ValueError, match='SupCon does not re-pair'):
        CAVPLoss(mode='supcon', memory_bank=dict(size=4))


def make_ctx(seed=0):
    """Four single-class frames (classes 1, 2, 1, 3) whose audio inputs are
    (4, 3) and a linear audio backbone."""
    torch.manual_seed(seed)
    fusion = AVCrossAttention(in_channels=4, stages=(0, ), audio_channels=3,
                              embed_dims=4, num_heads=1)
    backbone = torch.nn.Linear(3, 3)
    visual = [torch.randn(4, 4, 4, 4)]
    inputs = torch.randn(4, 3)
    samples = []
    for c in (1, 2, 1, 3):
        sample = SegDataSample(metainfo=dict(audio_labels=[c]))
        gt = torch.zeros(1, 8, 8, dtype=torch.long)
        gt[:, :4] = c
        sample.gt_sem_seg = PixelData(data=gt)
        samples.append(sample)
    audio = backbone(inputs)
    return dict(visual=visual, audio=audio, fused=fusion(visual, audio, 1),
                fusion=fusion, num_frames=1, data_samples=samples,
                audio_inputs=inputs, audio_backbone=backbone)


def test_bank_replaces_repaired_audio_seeded():
    bank = dict(size=4, replace_fraction=1.0, start_epoch=0)
    ctx = make_ctx()
    fusion, seen = ctx['fusion'], []

    def recording_fusion(visual, audio, num_frames):
        seen.append(audio)
        return fusion(visual, audio, num_frames)

    ctx['fusion'] = recording_fusion
    loss = CAVPLoss(stage=0, num_samples=64, memory_bank=bank)
    torch.manual_seed(1)
    perm = torch.randperm(4)
    torch.manual_seed(1)
    loss(ctx)  # empty bank: plain re-pairing, then the 4 clips are stored
    assert torch.equal(seen[0], ctx['audio'][perm]) and len(loss.bank) == 4
    other = ctx['audio_inputs'][[0, 1, 2, 3]] + 1  # new audio, same classes
    ctx['audio_inputs'] = other
    ctx['audio'] = ctx['audio_backbone'](other)
    snapshot = dict(loss.bank.clips)
    torch.manual_seed(1)
    with_bank = loss(ctx)
    heard = [1, 2, 1, 3]
    stored = ctx['audio_backbone'](loss.bank.clips[1][:2])  # frames 0 and 2
    for i in range(4):
        if heard[perm[i]] == heard[i]:  # a match keeps its re-paired audio
            assert torch.equal(seen[1][i], ctx['audio'][perm[i]])
        elif heard[i] == 1:  # class 1 gets one of the first two clips
            assert any(torch.allclose(seen[1][i], s) for s in stored)
        else:  # the other classes' only stored clip
            clip = loss.bank.clips[heard[i]][0]
            assert torch.allclose(seen[1][i], ctx['audio_backbone'](clip))
    assert not torch.equal(seen[1], ctx['audio'][perm])
    plain = CAVPLoss(stage=0, num_samples=64)
    torch.manual_seed(1)
    assert plain(ctx).item() != pytest.approx(with_bank.item())
    # seeded: the same bank and seed give the same pairs and loss
    loss.bank.clips = dict(snapshot)
    torch.manual_seed(1)
    again = loss(ctx)
    assert torch.equal(seen[-1], seen[1])
    assert again.item() == pytest.approx(with_bank.item())


def test_bank_waits_for_start_epoch_and_needs_inputs():
    ctx = make_ctx()
    loss = CAVPLoss(stage=0, num_samples=64,
                    memory_bank=dict(size=4, replace_fraction=1.0))
    hub = MessageHub.get_current_instance()
    previous = hub.get_info('epoch')
    try:
        hub.update_info('epoch', 0)
        for _ in range(2):
            torch.manual_seed(1)
            values = loss(ctx).item()
        assert len(loss.bank) == 8  # stored, never used in epoch 0
        torch.manual_seed(1)
        assert CAVPLoss(stage=0, num_samples=64)(ctx).item() == \
            pytest.approx(values)
        hub.update_info('epoch', 1)
        torch.manual_seed(1)
        assert loss(ctx).item() != pytest.approx(values)
    finally:
        hub.update_info('epoch', previous)
    del ctx['audio_inputs']
    with pytest.raises(KeyError, match="ctx\\['audio_inputs'\\]"):
        loss(ctx)


def test_bank_switch_in_segmentor():
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.model.av_loss.memory_bank = dict(size=2, start_epoch=0)
    model = MODELS.build(cfg.model)
    samples = make_ctx()['data_samples']
    inputs = dict(
        imgs=torch.randn(4, 1, 3, 32, 32), audio=torch.randn(4, 1, 1, 96, 64))
    torch.manual_seed(0)
    model.loss(inputs, samples)
    bank = model.av_losses[0].bank
    assert {k: tuple(v.shape) for k, v in bank.clips.items()} == {
        1: (2, 1, 96, 64), 2: (1, 1, 96, 64), 3: (1, 1, 96, 64)}
    assert torch.equal(bank.clips[3][0], inputs['audio'][3, 0])
    losses = model.loss(inputs, samples)
    losses['loss_cavp'].backward()
    assert model.audio_backbone.embeddings[-2].weight.grad.abs().sum() > 0


def test_bank_is_saved_and_restored_with_the_state_dict(tmp_path):
    """A resumed run continues with the bank it had (checkpoint round
    trip through torch.save/load with weights_only)."""
    loss = CAVPLoss(stage=0, memory_bank=dict(size=4, start_epoch=5))
    MessageHub.get_current_instance().update_info('epoch', 0)
    loss(make_ctx())
    assert len(loss.bank) == 4
    path = str(tmp_path / 'ckpt.pth')
    torch.save(loss.state_dict(), path)
    assert list(loss.state_dict()) == ['bank.classes', 'bank.clips']
    restored = CAVPLoss(stage=0, memory_bank=dict(size=4, start_epoch=5))
    restored.load_state_dict(torch.load(path, weights_only=True))
    assert set(restored.bank.clips) == {1, 2, 3}
    for cls, clips in loss.bank.clips.items():
        assert torch.equal(restored.bank.clips[cls], clips)
    # without a bank the loss has no state
    assert not CAVPLoss().state_dict()
