# Copyright (c) mmavs contributors. All rights reserved.
import math

import pytest
import torch

from mmavs.models.fusion import AVAttentionBlock, AVCrossAttention
from mmavs.registry import MODELS

ACTIVATIONS = ('sigmoid', 'softmax', 'minmax', 'channel')


def naive_block(block, x, audio):
    """Loop over frames, heads and positions; weights from ``block``."""
    n, c, h, w = x.shape
    heads = block.num_heads
    d = block.query.out_features // heads
    out = x.clone()
    maps = torch.zeros(n, h * w)
    for i in range(n):
        pix = [x[i, :, p // w, p % w] for p in range(h * w)]
        a = audio[i]
        if block.activation == 'channel':
            q = block.query.weight @ a
            keys = [block.key.weight @ v for v in pix]
            vals = [block.value.weight @ v for v in pix]
            mixed = []
            for j in range(heads):
                sl = slice(j * d, (j + 1) * d)
                s = torch.stack([q[sl] @ k[sl] for k in keys]) / math.sqrt(d)
                weight = torch.exp(s) / torch.exp(s).sum()
                maps[i] += weight / heads
                mixed.append(sum(wt * v[sl] for wt, v in zip(weight, vals)))
            gate = torch.sigmoid(block.proj.weight @ torch.cat(mixed) +
                                 block.proj.bias)
            out[i] = x[i] + x[i] * gate[:, None, None]
            continue
        k = block.key.weight @ a
        v = block.value.weight @ a
        for j in range(heads):
            sl = slice(j * d, (j + 1) * d)
            s = torch.stack([(block.query.weight @ p)[sl] @ k[sl]
                             for p in pix]) / math.sqrt(d)
            if block.activation == 'sigmoid':
                weight = 1 / (1 + torch.exp(-s))
            elif block.activation == 'softmax':
                weight = torch.exp(s) / torch.exp(s).sum()
            else:
                weight = (s - s.min()) / (s.max() - s.min())
            maps[i] += weight / heads
            for p in range(h * w):
                term = block.proj.weight[:, sl] @ (weight[p] * v[sl])
                out[i, :, p // w, p % w] += term
        out[i] += block.proj.bias[:, None, None]
    return out, maps.view(n, h, w)


@pytest.mark.parametrize('activation', ACTIVATIONS)
def test_block_matches_naive_loop(activation):
    torch.manual_seed(0)
    block = AVAttentionBlock(6, 5, embed_dims=8, num_heads=2,
                             activation=activation)
    x, audio = torch.randn(2, 6, 3, 4), torch.randn(2, 5)
    out, attn = block(x, audio)
    ref_out, ref_attn = naive_block(block, x, audio)
    assert out.shape == (2, 6, 3, 4) and attn.shape == (2, 3, 4)
    assert torch.allclose(out, ref_out, atol=1e-5)
    assert torch.allclose(attn, ref_attn, atol=1e-6)


def test_activations_change_the_computation():
    torch.manual_seed(0)
    x, audio = torch.randn(2, 6, 3, 4), torch.randn(2, 5)
    outs, maps = {}, {}
    state = AVAttentionBlock(6, 5, embed_dims=8, num_heads=2).state_dict()
    for activation in ACTIVATIONS[:3]:
        block = AVAttentionBlock(6, 5, embed_dims=8, num_heads=2,
                                 activation=activation)
        block.load_state_dict(state)  # same weights, other activation
        outs[activation], maps[activation] = block(x, audio)
    for a, b in [('sigmoid', 'softmax'), ('sigmoid', 'minmax'),
                 ('softmax', 'minmax')]:
        assert not torch.allclose(outs[a], outs[b], atol=1e-4)
    # softmax over the positions of each frame (and head): sums to one
    assert torch.allclose(maps['softmax'].sum((1, 2)), torch.ones(2))
    assert 0 <= maps['minmax'].min() and maps['minmax'].max() <= 1
    assert 0 < maps['sigmoid'].min() and maps['sigmoid'].max() < 1
    channel = AVAttentionBlock(6, 5, 8, 2, activation='channel')
    assert channel.query.in_features == 5 and channel.key.in_features == 6


def test_fusion_stages_aux_and_own_audio():
    torch.manual_seed(0)
    fusion = MODELS.build(
        dict(type='AVCrossAttention', in_channels=[4, 6], stages=(1, ),
             audio_channels=5, embed_dims=8, num_heads=2))
    feats = [torch.randn(4, 4, 6, 6), torch.randn(4, 6, 3, 3)]
    audio = torch.randn(4, 5)
    fused, aux = fusion(feats, audio, num_frames=2, return_aux=True)
    assert fused[0] is feats[0]
    assert fused[1].shape == (4, 6, 3, 3)
    assert set(aux) == {'attn'} and aux['attn'][1].shape == (4, 3, 3)
    assert len(fusion(feats, audio, 2)) == 2
    # each frame hears only its own audio
    other = audio.clone()
    other[1] += 1
    fused2 = fusion(feats, other, 2)
    assert torch.equal(fused2[1][[0, 2, 3]], fused[1][[0, 2, 3]])
    assert not torch.allclose(fused2[1][1], fused[1][1])


def test_gradients_reach_inputs_and_weights():
    fusion = AVCrossAttention(in_channels=4, stages=(0, ), audio_channels=3,
                              embed_dims=4, num_heads=1)
    feats = [torch.randn(2, 4, 3, 3, requires_grad=True)]
    audio = torch.randn(2, 3, requires_grad=True)
    fusion(feats, audio, 1)[0].square().sum().backward()
    assert audio.grad.abs().sum() > 0 and feats[0].grad.abs().sum() > 0
    assert fusion.blocks[0].key.weight.grad.abs().sum() > 0


def test_bad_config_and_inputs():
    with pytest.raises(ValueError, match='activation'):
        AVAttentionBlock(4, 3, activation='relu')
    with pytest.raises(ValueError, match='num_heads'):
        AVAttentionBlock(4, 3, embed_dims=6, num_heads=4)
    with pytest.raises(ValueError, match='out of range'):
        AVCrossAttention(in_channels=[4, 4], stages=(2, ))
    with pytest.raises(ValueError, match='repeat'):
        AVCrossAttention(stages=(1, 1))
    fusion = AVCrossAttention(in_channels=4, stages=(0, ), audio_channels=3,
                              embed_dims=4, num_heads=1)
    feats = [torch.randn(4, 4, 2, 2)]
    with pytest.raises(ValueError, match='expected audio of shape'):
        fusion(feats, torch.randn(2, 3), 2)
    with pytest.raises(ValueError, match='num_frames'):
        fusion(feats, torch.randn(4, 3), 3)
