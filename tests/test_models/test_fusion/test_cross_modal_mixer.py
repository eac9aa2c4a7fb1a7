# Copyright (c) mmavs contributors. All rights reserved.
import math

import pytest
import torch

from mmavs.models.fusion import CrossModalMixer


def test_matches_loops_over_heads_and_pixels():
    torch.manual_seed(0)
    mixer = CrossModalMixer(embed_dims=4, num_heads=2)
    x, audio = torch.randn(2, 4, 3, 2), torch.randn(2, 1, 4)
    out = mixer(x, audio)
    wq = mixer.q_proj.weight
    wk, wv = mixer.kv_proj.weight[:4], mixer.kv_proj.weight[4:]
    for n in range(2):
        q = wq @ audio[n, 0]
        pixels = x[n].flatten(1).t()  # (6, 4)
        k, v = pixels @ wk.t(), pixels @ wv.t()
        heads = []
        for h in range(2):
            s = slice(2 * h, 2 * h + 2)
            attn = torch.softmax(k[:, s] @ q[s] / math.sqrt(2), 0)
            heads.append(attn @ v[:, s])
        gate = torch.sigmoid(mixer.proj(torch.cat(heads)))
        torch.testing.assert_close(out[n], x[n] * gate[:, None, None])


def test_gate_is_in_unit_interval_and_depends_on_audio():
    mixer = CrossModalMixer(embed_dims=32, num_heads=8)
    x = torch.randn(3, 32, 5, 5)
    gate = mixer.channel_gate(x, torch.randn(3, 1, 32))
    assert gate.shape == (3, 32) and (gate > 0).all() and (gate < 1).all()
    other = mixer.channel_gate(x, torch.randn(3, 1, 32))
    assert not torch.allclose(gate, other)


def test_bad_inputs():
    with pytest.raises(ValueError, match='divisible'):
        CrossModalMixer(embed_dims=30, num_heads=8)
    mixer = CrossModalMixer(embed_dims=32, num_heads=8)
    with pytest.raises(ValueError, match='expects'):
        mixer(torch.randn(2, 32, 4, 4), torch.randn(2, 32))
