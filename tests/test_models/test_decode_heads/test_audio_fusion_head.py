# Copyright (c) mmavs contributors. All rights reserved.
"""AudioFusionHead fuses audio between a head's feature and its classifier:
the released CAVP head and a stock mmseg head, alone and in the
segmentor (decode loss, CAVP loss on the head's fused feature)."""
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()
NORM = dict(type='BN', requires_grad=True)


def cavp_head(**kwargs):
    return dict(
        type='AudioFusionHead',
        head=dict(
            type='CAVPASPPHead',
            in_channels=32,
            in_index=3,
            channels=8,
            c1_in_channels=4,
            c1_channels=4,
            dropout_ratio=0,
            num_classes=3,
            norm_cfg=NORM),
        fusion=dict(type='CAVPFusion', in_channels=12, num_heads=2),
        **kwargs)


def levels(n=2):
    sizes = ((4, 16), (8, 8), (16, 4), (32, 4))
    return [torch.randn(n, c, s, s) for c, s in sizes]


def test_cavp_head_shapes_and_audio_use():
    head = MODELS.build(cavp_head()).eval()
    assert head.takes_audio and head.num_classes == 3
    visual, audio = levels(), torch.randn(2, 12)
    feat = head.head._forward_feature(visual)
    assert feat.shape == (2, 12, 16, 16)  # 8 ASPP + 4 reduced layer1
    logits = head(dict(visual=visual, audio=audio, num_frames=1))
    assert logits.shape == (2, 3, 16, 16)
    other = head(dict(visual=visual, audio=audio.flip(0), num_frames=1))
    assert not torch.allclose(logits, other)
    # the audio-free official DeepLabV3+ is the inner head alone
    assert head.head(visual).shape == (2, 3, 16, 16)
    assert MODELS.build(cavp_head(num_classes=7)).head.num_classes == 7


def test_any_mmseg_head_with_a_feature_split():
    head = MODELS.build(
        dict(
            type='AudioFusionHead',
            head=dict(
                type='mmseg.FCNHead',
                in_channels=32,
                in_index=3,
                channels=6,
                num_convs=1,
                num_classes=2,
                norm_cfg=NORM),
            fusion=dict(
                type='CAVPFusion', in_channels=6, audio_channels=5,
                num_heads=2))).eval()
    logits = head(dict(visual=levels(), audio=torch.randn(2, 5),
                       num_frames=2))
    assert logits.shape == (2, 2, 4, 4)
    with pytest.raises(TypeError, match='has no _forward_feature'):
        MODELS.build(
            dict(
                type='AudioFusionHead',
                head=dict(
                    type='mmseg.DepthwiseSeparableASPPHead',
                    in_channels=32,
                    channels=8,
                    c1_in_channels=4,
                    c1_channels=4,
                    dilations=(1, 2),
                    num_classes=2),
                fusion=dict(type='CAVPFusion', in_channels=8)))
    with pytest.raises(TypeError, match='dict\\(visual, audio'):
        head(levels())
    with pytest.raises(ValueError, match='CAVPFusion expects'):
        head(dict(visual=levels(), audio=torch.randn(2, 6), num_frames=1))


def test_segmentor_contrasts_the_fused_head_feature():
    model = MODELS.build(
        dict(
            type='AudioVisualSegmentor',
            backbone=dict(
                type='mmseg.ResNetV1c',
                depth=18,
                base_channels=4,
                stem_channels=8,
                strides=(1, 2, 2, 1),
                dilations=(1, 1, 1, 2),
                multi_grid=(2, 4),
                norm_cfg=NORM),
            audio_backbone=dict(
                type='ResNetAudio', depth=18, out_channels=12),
            decode_head=dict(
                cavp_head(),
                head=dict(cavp_head()['head'], in_channels=32,
                          c1_in_channels=4)),
            av_loss=dict(type='CAVPLoss', stage=0, num_samples=64)))
    samples = []
    for k in range(4):
        s = SegDataSample(metainfo=dict(img_shape=(32, 32),
                                        audio_labels=[k % 2 + 1]))
        gt = torch.zeros(1, 32, 32, dtype=torch.long)
        gt[:, 8:24, 8:24] = k % 2 + 1
        s.gt_sem_seg = PixelData(data=gt)
        samples.append(s)
    inputs = dict(
        imgs=torch.randn(4, 1, 3, 32, 32), audio=torch.randn(4, 1, 1, 96, 64))
    torch.manual_seed(0)
    losses = model.loss(inputs, samples)
    assert {'decode.loss_ce', 'loss_cavp'} <= set(losses)
    losses['loss_cavp'].backward()
    head = model.decode_head
    assert head.fusion.blocks[0].k.weight.grad.abs().sum() > 0
    assert head.head.conv_seg.weight.grad is None


def test_attention_recorder_finds_the_head_fusion():
    from mmavs.visualization import FusionAuxRecorder
    model = MODELS.build(
        dict(
            type='AudioVisualSegmentor',
            backbone=dict(
                type='mmseg.ResNetV1c', depth=18, base_channels=4,
                stem_channels=8, norm_cfg=NORM),
            audio_backbone=dict(
                type='ResNetAudio', depth=18, out_channels=12),
            decode_head=cavp_head())).eval()
    inputs = dict(
        imgs=torch.randn(2, 1, 3, 64, 64), audio=torch.randn(2, 1, 1, 96, 64))
    with FusionAuxRecorder(model) as recorder, torch.no_grad():
        logits = model.encode_decode(inputs, [dict(img_shape=(64, 64))] * 2)
    assert logits.shape == (2, 3, 64, 64)
    assert recorder.attention().shape == (2, 16, 16)
