# Copyright (c) mmavs contributors. All rights reserved.
import math

import pytest
import torch

from mmavs.models.fusion import AVAdd
from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()


def test_adds_projected_audio_of_each_frame_at_every_position():
    """Z = V + W a + b at every (h, w) of each frame, worked out with
    explicit loops; the other levels pass through untouched."""
    torch.manual_seed(0)
    fusion = AVAdd(in_channels=[4, 3, 5], stages=(0, 2), audio_channels=6)
    feats = [torch.randn(4, 4, 3, 2), torch.randn(4, 3, 2, 2),
             torch.randn(4, 5, 2, 3)]
    audio = torch.randn(4, 6)
    out, aux = fusion(feats, audio, num_frames=2, return_aux=True)
    assert all(torch.equal(a, b)
               for a, b in zip(out, fusion(feats, audio, num_frames=2)))
    assert out[1] is feats[1]
    assert set(aux['audio_proj']) == {0, 2} and set(aux['attn']) == {0, 2}
    for stage, lin in zip((0, 2), fusion.align_channels):
        feat = feats[stage]
        n, c, h, w = feat.shape
        weight, bias = lin.weight.tolist(), lin.bias.tolist()
        for f in range(n):
            proj = [sum(weight[k][d] * float(audio[f, d]) for d in range(6))
                    + bias[k] for k in range(c)]
            assert aux['audio_proj'][stage][f].tolist() == pytest.approx(
                proj, abs=1e-6)
            for i in range(h):
                for j in range(w):
                    v = [float(feat[f, k, i, j]) for k in range(c)]
                    assert out[stage][f, :, i, j].tolist() == pytest.approx(
                        [x + p for x, p in zip(v, proj)], abs=1e-6)
                    cos = sum(x * p for x, p in zip(v, proj)) / (
                        math.hypot(*v) * math.hypot(*proj))
                    assert aux['attn'][stage][f, i, j].item() == \
                        pytest.approx(cos, abs=1e-6)


def test_audio_changes_only_its_frame_and_gradients_flow():
    torch.manual_seed(0)
    fusion = MODELS.build(
        dict(type='AVAdd', in_channels=4, stages=(1, ), audio_channels=3))
    assert fusion.in_channels == [4, 4]
    feats = [torch.randn(4, 4, 2, 2), torch.randn(4, 4, 2, 2)]
    audio = torch.randn(4, 3, requires_grad=True)
    out = fusion(feats, audio, num_frames=2)
    other = audio.detach().clone()
    other[1] += 1
    changed = fusion(feats, other, num_frames=2)[1] != out[1]
    assert changed[1].all() and not changed[[0, 2, 3]].any()
    out[1].sum().backward()
    assert audio.grad.abs().sum() > 0
    assert fusion.align_channels[0].weight.grad.abs().sum() > 0


def test_bad_arguments():
    with pytest.raises(ValueError, match='repeat'):
        AVAdd(in_channels=4, stages=(0, 0))
    with pytest.raises(ValueError, match='out of range'):
        AVAdd(in_channels=[4, 4], stages=(2, ))
    fusion = AVAdd(in_channels=4, stages=(0, ), audio_channels=3)
    with pytest.raises(ValueError, match='not a multiple'):
        fusion([torch.randn(4, 4, 2, 2)], torch.randn(4, 3), num_frames=3)
    with pytest.raises(ValueError, match='audio of shape'):
        fusion([torch.randn(4, 4, 2, 2)], torch.randn(2, 3), num_frames=2)
    with pytest.raises(ValueError, match='audio of shape'):
        fusion([torch.randn(4, 4, 2, 2)], torch.randn(4, 1, 3), num_frames=2)
