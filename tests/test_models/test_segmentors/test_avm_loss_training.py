# Copyright (c) mmavs contributors. All rights reserved.
"""AVMLoss inside AudioVisualSegmentor: the tiny model of
test_audio_visual_segmentor.py trains with the L_AVM term."""
import pytest
import torch
from mmengine.optim import OptimWrapper
from test_audio_visual_segmentor import TINY, build, make_batch

AV = dict(type='AVMLoss', mode='av', stages=(0, 1, 2, 3), loss_weight=0.5)


def fusion_grads(model, losses, keys):
    model.zero_grad()
    sum(losses[k] for k in keys).backward()
    return {n: p.grad.clone() for n, p in model.fusion.named_parameters()
            if p.grad is not None}


@pytest.mark.parametrize('mode', ['av', 'vv'])
def test_avm_term_changes_fusion_gradients(mode):
    model = build(dict(TINY, av_loss=dict(AV, mode=mode)))
    data = model.data_preprocessor(make_batch(), training=True)
    losses = model(**data, mode='loss')
    name = f'loss_avm_{mode}'
    assert set(losses) == {'decode.loss_ce', 'decode.acc_seg', name}
    assert torch.isfinite(losses[name]) and losses[name] > 0
    plain = fusion_grads(model, losses, ['decode.loss_ce'])
    losses = model(**data, mode='loss')
    both = fusion_grads(model, losses, ['decode.loss_ce', name])
    diff = {n: (both[n] - plain.get(n, 0)).abs().max().item() for n in both}
    assert max(diff.values()) > 1e-6
    if mode == 'av':
        # TPAVI starts as the identity (zero BN): only L_AVM reaches the
        # audio projection, through aux['audio_proj']
        w = 'blocks.0.align_channel.weight'
        assert plain[w].abs().max() == 0 and both[w].abs().max() > 0


@pytest.mark.parametrize('fusion', [
    None, dict(type='AVAdd', in_channels=8, audio_channels=16)],
                         ids=['tpavi', 'av_add'])
def test_train_step_with_avm_loss(fusion):
    cfg = dict(TINY, av_loss=AV)
    if fusion is not None:
        cfg['fusion'] = fusion
    model = build(cfg)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    before = [p.detach().clone() for p in model.fusion.parameters()]
    log_vars = model.train_step(make_batch(), optim)
    assert {'loss', 'decode.loss_ce', 'loss_avm_av'} <= set(log_vars)
    assert log_vars['loss'].item() == pytest.approx(
        log_vars['decode.loss_ce'].item() + log_vars['loss_avm_av'].item(),
        rel=1e-5)
    assert any(not torch.equal(b, p.detach())
               for b, p in zip(before, model.fusion.parameters()))


def test_fusion_without_audio_projection_at_a_stage():
    data = make_batch()
    for fusion in (dict(type='TPAVI', in_channels=8, audio_channels=16,
                        stages=(2, 3)),
                   dict(type='TPAVI', in_channels=8, audio_channels=16,
                        audio_attention=False, video_attention=True)):
        model = build(dict(TINY, fusion=fusion, av_loss=AV))
        batch = model.data_preprocessor(data, training=True)
        with pytest.raises(ValueError, match='no audio projection at stage'):
            model(**batch, mode='loss')
    model = build(dict(TINY, fusion=dict(TINY['fusion'], stages=(2, 3)),
                       av_loss=dict(AV, stages=(2, 3))))
    batch = model.data_preprocessor(data, training=True)
    assert 'loss_avm_av' in model(**batch, mode='loss')
