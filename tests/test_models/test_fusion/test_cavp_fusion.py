# Copyright (c) mmavs contributors. All rights reserved.
"""CAVPFusion / CAVPAttentionBlock on hand-checkable cases (the full
equivalence with the official code is in tests/test_tools/
test_cavp2mmavs.py)."""
import pytest
import torch

from mmavs.models.fusion import CAVPFusion
from mmavs.models.fusion.cavp_attention_block import CAVPAttentionBlock


def test_sigmoid_attention_on_one_audio_token():
    block = CAVPAttentionBlock(8, num_heads=2)
    visual, audio = torch.randn(3, 5, 8), torch.randn(3, 1, 8)
    out, attn = block.attend(visual, audio)
    assert out.shape == (3, 5, 8) and attn.shape == (3, 2, 5, 1)
    # one key: the attention is sigmoid(q.k / sqrt(4)), not a softmax (1)
    q = block.q(visual).reshape(3, 5, 2, 4).transpose(1, 2)
    k = block.k(audio).reshape(3, 1, 2, 4).transpose(1, 2)
    torch.testing.assert_close(attn, torch.sigmoid(q @ k.mT / 2))
    v = block.v(audio).reshape(3, 1, 2, 4).transpose(1, 2)
    expected = block.proj((attn * v).transpose(1, 2).reshape(3, 5, 8))
    torch.testing.assert_close(out, expected)
    with pytest.raises(ValueError, match='multiple of num_heads'):
        CAVPAttentionBlock(10, num_heads=4)


def test_fusion_shapes_frames_and_aux():
    fusion = CAVPFusion(in_channels=6, audio_channels=4, embed_dims=8,
                        num_heads=2, depth=2).eval()
    feat, audio = torch.randn(4, 6, 3, 5), torch.randn(4, 4)
    fused, aux = fusion(feat, audio, num_frames=2, return_aux=True)
    assert fused.shape == (4, 8, 3, 5)
    attn = aux['attn'][0]
    assert attn.shape == (4, 3, 5)
    assert (attn > 0).all() and (attn < 1).all()  # sigmoid, head-averaged
    # frames are independent: each sees its own audio only
    alone = fusion(feat[1:2], audio[1:2], num_frames=1)
    torch.testing.assert_close(fused[1:2], alone)
    with pytest.raises(ValueError, match='not clips of 3'):
        fusion(feat, audio, num_frames=3)
    with pytest.raises(ValueError, match='CAVPFusion expects'):
        fusion(feat, audio[:, :3], num_frames=1)
