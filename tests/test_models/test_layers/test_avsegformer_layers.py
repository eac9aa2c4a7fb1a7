# Copyright (c) mmavs contributors. All rights reserved.
import math
from types import SimpleNamespace

import pytest
import torch

from mmavs.models.layers import (AudioQueryGenerator,
                                 DeformableTransformerEncoder,
                                 QueryTransformerDecoder, deformable_encoder,
                                 sine_positional_encoding)


def test_sine_positional_encoding_hand_values():
    pos = sine_positional_encoding(3, 4, num_feats=8, temperature=100.)
    assert pos.shape == (1, 16, 3, 4)
    y, x = 2, 3  # positions count from 1
    assert pos[0, 0, y, x].item() == pytest.approx(math.sin(3))
    assert pos[0, 1, y, x].item() == pytest.approx(math.cos(3))
    assert pos[0, 2, y, x].item() == pytest.approx(math.sin(3 / 100**0.25))
    assert pos[0, 3, y, x].item() == pytest.approx(math.cos(3 / 100**0.25))
    assert pos[0, 8, y, x].item() == pytest.approx(math.sin(4))
    assert pos[0, 15, y, x].item() == pytest.approx(
        math.cos(4 / 100**0.75))
    with pytest.raises(ValueError, match='even'):
        sine_positional_encoding(2, 2, num_feats=7)


def test_query_generator():
    gen = AudioQueryGenerator(
        num_queries=5, embed_dims=16, num_layers=2, num_heads=2,
        ffn_channels=8)
    gen.init_weights()
    assert gen.layers[0].self_attn.in_proj_bias is None  # as released
    audio = torch.randn(3, 1, 16)
    out = gen(audio)
    assert out.shape == (3, 5, 16)
    assert not torch.allclose(out[0], out[1])  # conditioned on the audio
    with pytest.raises(ValueError, match='audio of shape'):
        gen(torch.randn(3, 16))


def test_encoder_and_decoder_shapes():
    enc = DeformableTransformerEncoder(
        num_layers=1, embed_dims=16, num_heads=2, num_points=2,
        ffn_channels=8).eval()
    shapes = [(4, 4), (2, 2), (1, 1)]
    x = torch.randn(2, 21, 16)
    memory = enc(x, torch.zeros(1, 21, 16), shapes)
    assert memory.shape == (2, 21, 16)
    ref = enc.reference_points([(2, 4)], 'cpu')
    assert ref.shape == (1, 8, 1, 2)
    # row-major, (x, y) pixel centres
    torch.testing.assert_close(ref[0, 5, 0], torch.tensor([0.375, 0.75]))
    with pytest.raises(ValueError, match='3 levels'):
        enc(x, torch.zeros(1, 21, 16), shapes[:2])
    dec = QueryTransformerDecoder(
        num_layers=2, embed_dims=16, num_heads=2, ffn_channels=8).eval()
    assert dec(torch.randn(2, 5, 16), memory).shape == (2, 5, 16)


def test_clear_error_on_cuda_without_mmcv_cuda_ops(monkeypatch):
    fake_cuda = SimpleNamespace(is_cuda=True)
    monkeypatch.setattr(deformable_encoder, 'mmcv_cuda_ops_available',
                        lambda: False)
    with pytest.raises(RuntimeError, match='FORCE_CUDA=1'):
        deformable_encoder.check_deformable_attention_device(fake_cuda)
    monkeypatch.setattr(deformable_encoder, 'mmcv_cuda_ops_available',
                        lambda: True)
    deformable_encoder.check_deformable_attention_device(fake_cuda)
    # CPU tensors use the PyTorch path whatever the build
    deformable_encoder.check_deformable_attention_device(torch.zeros(1))
