# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F

from mmavs.models.fusion import TPAVI, TPAVIBlock
from mmavs.testing import quadratic_tpavi


def make_block(channels=8, audio_channels=6):
    torch.manual_seed(0)
    block = TPAVIBlock(channels, audio_channels=audio_channels)
    # leave the zero init so that the attention path shows in the output
    torch.nn.init.normal_(block.W_z[1].weight)
    torch.nn.init.normal_(block.W_z[1].bias)
    return block.eval()


@pytest.mark.parametrize('with_audio', [True, False])
def test_linear_form_equals_quadratic(with_audio):
    block = make_block()
    x = torch.randn(2, 8, 3, 5, 4)
    audio = torch.randn(2, 3, 6) if with_audio else None
    z, audio_proj = block(x, audio)
    ref = quadratic_tpavi(block, x, audio)
    assert z.shape == (2, 8, 3, 5, 4)
    assert torch.allclose(z, ref, atol=1e-5)
    # the attention term is not negligible in this check
    assert (z - quadratic_tpavi(make_block_zero_attention(block), x,
                                audio)).abs().max() > 1e-2
    if with_audio:
        assert audio_proj.shape == (2, 3, 8)
    else:
        assert audio_proj is None


def make_block_zero_attention(block):
    other = make_block()
    other.load_state_dict(block.state_dict())
    torch.nn.init.zeros_(other.g.weight)
    torch.nn.init.zeros_(other.g.bias)
    return other


def test_zero_initialised_block_is_layer_norm():
    block = TPAVIBlock(4, audio_channels=3).eval()
    x = torch.randn(1, 4, 2, 3, 3)
    z, _ = block(x, torch.randn(1, 2, 3))
    expected = F.layer_norm(x.permute(0, 2, 3, 4, 1),
                            (4, )).permute(0, 4, 1, 2, 3)
    assert torch.allclose(z, expected, atol=1e-6)


def test_audio_changes_output():
    block = make_block()
    x = torch.randn(1, 8, 2, 3, 3)
    z1, _ = block(x, torch.randn(1, 2, 6))
    z2, _ = block(x, torch.randn(1, 2, 6))
    assert not torch.allclose(z1, z2, atol=1e-4)


def test_parameter_names_match_official():
    names = set(TPAVIBlock(256).state_dict())
    assert names == {
        'align_channel.weight', 'align_channel.bias', 'norm_layer.weight',
        'norm_layer.bias', 'g.weight', 'g.bias', 'W_z.0.weight', 'W_z.0.bias',
        'W_z.1.weight', 'W_z.1.bias', 'W_z.1.running_mean',
        'W_z.1.running_var', 'W_z.1.num_batches_tracked', 'theta.weight',
        'theta.bias', 'phi.weight', 'phi.bias'
    }
    assert TPAVIBlock(256).g.weight.shape == (128, 256, 1, 1, 1)


def test_tpavi_fuses_chosen_stages_only():
    torch.manual_seed(0)
    fusion = TPAVI(in_channels=[4, 6, 8], stages=(1, ), audio_channels=5)
    feats = [torch.randn(6, c, s, s) for c, s in ((4, 8), (6, 4), (8, 2))]
    out = fusion(feats, torch.randn(6, 5), num_frames=3)
    assert [o.shape for o in out] == [f.shape for f in feats]
    assert torch.equal(out[0], feats[0]) and torch.equal(out[2], feats[2])
    assert not torch.allclose(out[1], feats[1])


def test_tpavi_reshapes_frames_per_clip():
    """Frame k of clip b is row b*T + k; the block sees (B, C, T, H, W)."""
    fusion = TPAVI(in_channels=4, stages=(0, ), audio_channels=3).eval()
    block = fusion.blocks[0]
    torch.nn.init.normal_(block.W_z[1].weight)
    feats = [torch.randn(2 * 3, 4, 2, 2)]
    audio = torch.randn(2 * 3, 3)
    out = fusion(feats, audio, num_frames=3)[0]
    clips = feats[0].view(2, 3, 4, 2, 2).transpose(1, 2)
    ref = block(clips, audio.view(2, 3, 3))[0].transpose(1, 2).reshape(
        6, 4, 2, 2)
    assert torch.allclose(out, ref)


def test_tpavi_single_frame_and_video_attention():
    fusion = TPAVI(
        in_channels=4, stages=(0, ), audio_channels=3, video_attention=True)
    out = fusion([torch.randn(2, 4, 3, 3)], torch.randn(2, 3), num_frames=1)
    assert out[0].shape == (2, 4, 3, 3)


def test_tpavi_bad_arguments():
    with pytest.raises(ValueError, match='audio_attention or video'):
        TPAVI(audio_attention=False, video_attention=False)
    with pytest.raises(ValueError, match='out of range'):
        TPAVI(in_channels=[4, 4], stages=(2, ))
    fusion = TPAVI(in_channels=4, stages=(0, ), audio_channels=3)
    with pytest.raises(ValueError, match='not a multiple'):
        fusion([torch.randn(4, 4, 2, 2)], torch.randn(4, 3), num_frames=3)
    with pytest.raises(ValueError, match='audio features'):
        fusion([torch.randn(4, 4, 2, 2)], torch.randn(2, 3), num_frames=2)


def test_tpavi_aux_audio_projection_and_attention():
    """aux['audio_proj'] is the block's Linear(D, C) of each frame's audio;
    aux['attn'] is theta(V)_i . phi(A_t) for position i of frame t, worked
    out here with explicit loops over the 1x1 convolutions."""
    torch.manual_seed(0)
    fusion = TPAVI(in_channels=[4, 6], stages=(1, ), audio_channels=3)
    feats = [torch.randn(4, 4, 3, 3), torch.randn(4, 6, 2, 2)]
    audio = torch.randn(4, 3)
    out, aux = fusion(feats, audio, num_frames=2, return_aux=True)
    assert all(torch.equal(a, b)
               for a, b in zip(out, fusion(feats, audio, num_frames=2)))
    block = fusion.blocks[0]
    w_lin, b_lin = block.align_channel.weight, block.align_channel.bias
    proj = torch.stack([w_lin @ a + b_lin for a in audio])
    assert set(aux['audio_proj']) == {1} and set(aux['attn']) == {1}
    assert torch.allclose(aux['audio_proj'][1], proj, atol=1e-6)
    w_t = block.theta.weight.flatten(1)
    w_p = block.phi.weight.flatten(1)
    attn = torch.empty(4, 2, 2)
    for n in range(4):
        phi = w_p @ proj[n] + block.phi.bias
        for i in range(2):
            for j in range(2):
                theta = w_t @ feats[1][n, :, i, j] + block.theta.bias
                attn[n, i, j] = theta @ phi
    assert torch.allclose(aux['attn'][1], attn, atol=1e-5)


def test_tpavi_aux_without_audio_attention_is_empty():
    fusion = TPAVI(in_channels=4, stages=(0, ), audio_channels=3,
                   audio_attention=False, video_attention=True)
    _, aux = fusion([torch.randn(2, 4, 2, 2)], torch.randn(2, 3),
                    num_frames=2, return_aux=True)
    assert aux == dict(audio_proj={}, attn={})


def test_temporal_window_attends_within_windows():
    """AVSBench-Semantics: a 10-frame clip fused as two 5-frame clips."""
    torch.manual_seed(0)
    fusion = TPAVI(in_channels=8, stages=(0, ), audio_channels=6,
                   temporal_window=5).eval()
    torch.nn.init.normal_(fusion.blocks[0].W_z[1].weight)
    whole = TPAVI(in_channels=8, stages=(0, ), audio_channels=6).eval()
    whole.load_state_dict(fusion.state_dict())
    feats = [torch.randn(20, 8, 3, 4)]  # 2 clips of 10 frames
    audio = torch.randn(20, 6)
    out = fusion(feats, audio, num_frames=10)[0]
    assert torch.allclose(out, whole(feats, audio, num_frames=5)[0])
    assert not torch.allclose(out, whole(feats, audio, num_frames=10)[0],
                              atol=1e-3)
    with pytest.raises(ValueError, match='do not split into windows'):
        fusion([torch.randn(12, 8, 3, 4)], torch.randn(12, 6), num_frames=6)
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match='temporal_window'):
            TPAVI(temporal_window=bad)


def test_audio_projection_without_bias():
    fusion = TPAVI(in_channels=8, stages=(1, 2), audio_proj_bias=False)
    keys = fusion.state_dict().keys()
    assert 'blocks.0.align_channel.weight' in keys
    assert not any(k.endswith('align_channel.bias') for k in keys)
    assert TPAVIBlock(4).align_channel.bias is not None
