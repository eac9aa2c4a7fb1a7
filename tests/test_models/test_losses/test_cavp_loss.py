# Copyright (c) mmavs contributors. All rights reserved.
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.models.fusion import AVCrossAttention
from mmavs.models.losses import CAVPLoss
from mmavs.models.losses.cavp_loss import (cavp_anchor_sets, cavp_info_nce,
                                           cavp_pair_masks)
from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()
FG, BG, EX = 1, 0, -1
TINY_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))),
    'configs', 'cavp', 'cavp_r18-tiny_1xb4-2e_synthetic-avss-64x64.py')


def test_anchor_sets_by_hand():
    labels = torch.tensor([[0, 1, 2, 255], [0, 1, 0, 3], [3, 1, 0, 2],
                           [0, 1, 2, 255], [0, 1, 0, 3]])
    # pairs 0-2 are re-paired: 0 hears class 1 (its image hears 2), 1 is
    # silent (image hears 1), 2 hears 1 and 3 (image hears 3); pairs 3 and 4
    # hear their own image's sounds (1, and nothing)
    audio = [(1, ), (), (1, 3), (1, ), ()]
    own = [(2, ), (1, ), (3, ), (1, ), ()]
    sets = cavp_anchor_sets(labels, audio, own)
    assert sets.tolist() == [
        [EX, FG, BG, EX],  # bg unknown, heard object, silent object, ignored
        [EX, BG, EX, BG],  # silent audio: objects are background anchors
        [FG, FG, EX, BG],
        [BG, FG, BG, EX],  # own audio: the background is known background
        [BG, BG, BG, BG],  # own silence: everything is background
    ]
    with pytest.raises(ValueError, match='2 audio and 5 own label sets'):
        cavp_anchor_sets(labels, [(1, ), ()], own)


def test_pair_masks_by_hand():
    # samples: set, pixel label y, audio id t
    sets = torch.tensor([FG, FG, FG, FG, BG, BG])
    ys = torch.tensor([1, 1, 1, 2, 3, 2])
    ts = torch.tensor([0, 0, 1, 0, 0, 1])
    pos, neg = cavp_pair_masks(sets, ys, ts)
    expected_pos = {0: {1}, 1: {0}, 2: set(), 3: set(), 4: {5}, 5: {4}}
    # fg anchor 0: 1 shares (t, y); 2 (same y), 3 (same t), 4 (same t) are
    # hard negatives, 5 an easy one; bg anchors repel all fg samples
    expected_neg = {
        0: {2, 3, 4, 5},
        1: {2, 3, 4, 5},
        2: {0, 1, 3, 4, 5},
        3: {0, 1, 2, 4, 5},
        4: {0, 1, 2, 3},
        5: {0, 1, 2, 3}
    }
    for i in range(6):
        assert set(pos[i].nonzero().flatten().tolist()) == expected_pos[i]
        assert set(neg[i].nonzero().flatten().tolist()) == expected_neg[i]


def naive_info_nce(feats, pos, neg, tau):
    losses = []
    for i in range(len(feats)):
        positives = [j for j in range(len(feats)) if pos[i, j]]
        if not positives:
            continue
        negs = sum(
            math.exp(float(feats[i] @ feats[n]) / tau)
            for n in range(len(feats)) if neg[i, n])
        terms = []
        for p in positives:
            e = math.exp(float(feats[i] @ feats[p]) / tau)
            terms.append(-math.log(e / (e + negs)))
        losses.append(sum(terms) / len(terms))
    return sum(losses) / len(losses)


def test_info_nce_matches_naive_loop():
    torch.manual_seed(0)
    feats = torch.nn.functional.normalize(torch.randn(12, 5), dim=1)
    sets = torch.tensor([FG] * 7 + [BG] * 5)
    pos, neg = cavp_pair_masks(sets, torch.randint(1, 3, (12, )),
                               torch.randint(0, 2, (12, )))
    value = cavp_info_nce(feats, pos, neg, 0.1)
    assert value.item() == pytest.approx(
        naive_info_nce(feats, pos, neg, 0.1), rel=1e-5)
    # no positive anywhere: zero, still differentiable
    feats.requires_grad_()
    none = torch.zeros(12, 12, dtype=torch.bool)
    zero = cavp_info_nce(feats, none, neg, 0.1)
    zero.backward()
    assert zero.item() == 0 and feats.grad is not None


def make_ctx(seed=0, stage_channels=4, size=4, audio_labels=None):
    torch.manual_seed(seed)
    fusion = AVCrossAttention(in_channels=stage_channels, stages=(0, ),
                              audio_channels=3, embed_dims=4, num_heads=1)
    visual = [torch.randn(4, stage_channels, size, size, requires_grad=True)]
    audio = torch.randn(4, 3, requires_grad=True)
    classes = [1, 2, 1, 3]
    audio_labels = audio_labels or [[c] for c in classes]
    samples = []
    for i, c in enumerate(classes):
        gt = torch.zeros(1, 2 * size, 2 * size, dtype=torch.long)
        gt[:, :size, :] = c
        gt[:, -2:, -2:] = 255
        sample = SegDataSample(metainfo=dict(audio_labels=audio_labels[i]))
        sample.gt_sem_seg = PixelData(data=gt)
        samples.append(sample)
    return dict(
        visual=visual,
        audio=audio,
        fused=fusion(visual, audio, 1),
        fusion=fusion,
        num_frames=1,
        data_samples=samples)


def test_loss_is_seeded_and_repairs_audio():
    ctx = make_ctx()
    seen = []

    def recording_fusion(visual, audio, num_frames):
        seen.append(audio)
        return fusion(visual, audio, num_frames)

    fusion = ctx['fusion']
    ctx['fusion'] = recording_fusion
    loss = MODELS.build(dict(type='CAVPLoss', stage=0, num_samples=40))
    assert loss.loss_name == 'loss_cavp'
    torch.manual_seed(7)
    first = loss(ctx)
    torch.manual_seed(7)
    assert loss(ctx).item() == first.item()
    torch.manual_seed(7)
    perm = torch.randperm(4)
    assert torch.equal(seen[0], ctx['audio'][perm])
    assert first.item() > 0
    torch.manual_seed(8)
    assert loss(ctx).item() != first.item()


def test_balance_switch_changes_sampled_anchors():
    sets = torch.tensor([FG] * 100 + [BG] * 100 + [EX] * 10)
    counts = {}
    for fraction in (0.1, 0.5, 0.9):
        torch.manual_seed(0)
        idx = CAVPLoss(num_samples=20, pos_fraction=fraction)._sample(sets)
        counts[fraction] = ((sets[idx] == FG).sum().item(),
                            (sets[idx] == BG).sum().item())
        assert len(set(idx.tolist())) == 20
    assert counts == {0.1: (2, 18), 0.5: (10, 10), 0.9: (18, 2)}
    # short of foreground: all of it is taken
    short = torch.tensor([FG] * 3 + [BG] * 100)
    idx = CAVPLoss(num_samples=20)._sample(short)
    assert (short[idx] == FG).sum() == 3 and len(idx) == 13
    ctx = make_ctx()
    values = []
    for fraction in (0.1, 0.9):
        torch.manual_seed(0)
        loss = CAVPLoss(stage=0, num_samples=20, pos_fraction=fraction)
        values.append(loss(ctx).item())
    assert values[0] != pytest.approx(values[1])


def test_gradients_flow_into_fusion_through_repairing():
    ctx = make_ctx()
    loss = CAVPLoss(stage=0, num_samples=64, with_original_pairs=False)
    torch.manual_seed(1)
    value = loss(ctx)
    assert value.item() > 0
    value.backward()
    block = ctx['fusion'].blocks[0]
    assert block.query.weight.grad.abs().sum() > 0
    assert block.value.weight.grad.abs().sum() > 0
    assert ctx['audio'].grad.abs().sum() > 0
    assert ctx['visual'][0].grad.abs().sum() > 0


def test_modes_differ_and_supcon_ignores_audio():
    ctx = make_ctx()
    torch.manual_seed(0)
    cavp = CAVPLoss(stage=0, num_samples=64)(ctx)
    torch.manual_seed(0)
    supcon = CAVPLoss(stage=0, num_samples=64, mode='supcon')(ctx)
    assert cavp.item() != pytest.approx(supcon.item())
    # SupCon never re-pairs, so the audio labels play no part
    other = make_ctx(audio_labels=[[5], [5], [5], [5]])
    torch.manual_seed(0)
    assert CAVPLoss(
        stage=0, num_samples=64, mode='supcon')(other).item() == \
        pytest.approx(supcon.item())


def test_bad_config_and_missing_audio_labels():
    with pytest.raises(ValueError, match='mode'):
        CAVPLoss(mode='simclr')
    with pytest.raises(ValueError, match='pos_fraction'):
        CAVPLoss(pos_fraction=1.5)
    with pytest.raises(ValueError, match='loss_'):
        CAVPLoss(loss_name='cavp')
    ctx = make_ctx()
    del ctx['data_samples'][2].audio_labels
    with pytest.raises(KeyError, match='data sample 2 has no "audio_labels"'):
        CAVPLoss(stage=0)(ctx)


def test_cavp_switch_in_segmentor():
    cfg = Config.fromfile(TINY_CONFIG)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    cfg.model.av_loss = None
    plain = MODELS.build(cfg.model)
    # same weights; only the CAVP audio bank has no place in the plain model
    missing, unexpected = plain.load_state_dict(
        model.state_dict(), strict=False)
    assert not missing and unexpected == [
        'av_losses.0.bank.classes', 'av_losses.0.bank.clips'
    ]
    inputs = dict(
        imgs=torch.randn(4, 1, 3, 32, 32), audio=torch.randn(4, 1, 1, 96, 64))
    samples = make_ctx(size=16)['data_samples']
    torch.manual_seed(0)
    losses = model.loss(inputs, samples)
    assert set(plain.loss(inputs, samples)) == {
        'decode.loss_ce', 'decode.acc_seg'
    }
    assert losses['loss_cavp'].item() > 0
    losses['loss_cavp'].backward()
    # the released network fuses in its head: the loss contrasts the fused
    # head feature, so it reaches the fusion and the audio encoder, not the
    # classifier
    head = model.decode_head
    assert head.fusion.blocks[0].q.weight.grad.abs().sum() > 0
    assert model.audio_backbone.embeddings[-2].weight.grad.abs().sum() > 0
    assert head.head.last_conv[0].weight.grad is None
    assert head.head.conv_seg.weight.grad is None


def test_original_pairs_switch():
    ctx = make_ctx()
    values = []
    for with_original in (True, False):
        torch.manual_seed(3)
        values.append(
            CAVPLoss(stage=0, num_samples=64,
                     with_original_pairs=with_original)(ctx).item())
    assert values[0] != pytest.approx(values[1])
