# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.models.decode_heads import AVSegFormerHead
from mmavs.models.losses import FrameDiceLoss
from mmavs.utils import register_all_modules

register_all_modules()


def small_head(**kwargs):
    cfg = dict(
        in_channels=[8, 16, 32, 32],
        channels=8,
        embed_dims=64,
        num_queries=6,
        num_pos_feats=32,
        mlp_channels=16,
        mask_channels=16,
        query_generator=dict(
            type='AudioQueryGenerator',
            embed_dims=64,
            num_layers=1,
            num_heads=2,
            ffn_channels=32),
        encoder=dict(
            type='DeformableTransformerEncoder',
            num_layers=1,
            embed_dims=64,
            num_heads=2,
            num_points=2,
            ffn_channels=32),
        decoder=dict(
            type='QueryTransformerDecoder',
            num_layers=1,
            embed_dims=64,
            num_heads=2,
            ffn_channels=32),
        mixer=dict(type='CrossModalMixer', embed_dims=64, num_heads=2),
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        loss_decode=dict(type='FrameDiceLoss', loss_name='loss_dice'))
    cfg.update(kwargs)
    head = AVSegFormerHead(**cfg)
    head.init_weights()
    return head


def inputs(n=4, size=64):
    visual = [
        torch.randn(n, c, size // s, size // s)
        for c, s in zip([8, 16, 32, 32], [4, 8, 16, 32])
    ]
    return dict(visual=visual, audio=torch.randn(n, 128), num_frames=2)


def samples(labels):
    return [
        SegDataSample(
            gt_sem_seg=PixelData(data=label[None]),
            metainfo=dict(img_shape=label.shape, pad_shape=label.shape))
        for label in labels
    ]


def test_forward_shapes_and_audio_matters():
    torch.manual_seed(0)
    head = small_head().eval()
    x = inputs()
    logits, mask_feature = head.forward_with_mask_feature(x)
    assert head.takes_audio
    assert logits.shape == (4, 1, 64, 64)
    assert mask_feature.shape == (4, 64, 16, 16)
    torch.testing.assert_close(head(x), logits)
    other = head(dict(x, audio=torch.randn(4, 128)))
    assert not torch.allclose(other, logits)


def test_binary_losses_skip_unlabelled_frames():
    torch.manual_seed(0)
    head = small_head()
    x = inputs()
    labels = torch.randint(0, 2, (4, 64, 64))
    labels[1::2] = 255  # S4-like: one labelled frame per clip
    losses = head.loss(x, samples(labels), train_cfg=None)
    assert set(losses) == {'loss_dice', 'loss_mix'}
    torch.manual_seed(0)
    head.eval()  # no dropout: the same forward to compare with
    losses = head.loss(x, samples(labels), train_cfg=None)
    logits, mask_feature = head.forward_with_mask_feature(x)
    dice = FrameDiceLoss()
    assert losses['loss_dice'].item() == pytest.approx(
        dice(logits, labels).item(), abs=1e-6)
    mean = F.interpolate(
        mask_feature.mean(1, keepdim=True), size=(64, 64), mode='bilinear')
    assert losses['loss_mix'].item() == pytest.approx(
        0.1 * dice(mean, labels).item(), abs=1e-6)
    losses['loss_mix'].backward()
    assert head.mixer.q_proj.weight.grad.abs().sum() > 0


def test_multiclass_mix_target_is_foreground():
    torch.manual_seed(0)
    head = small_head(
        num_classes=5,
        out_channels=5,
        threshold=None,
        loss_decode=dict(type='mmseg.CrossEntropyLoss', avg_non_ignore=True))
    head.eval()
    x = inputs()
    labels = torch.randint(0, 5, (4, 64, 64))
    labels[3] = 255
    losses = head.loss(x, samples(labels), train_cfg=None)
    assert {'loss_ce', 'loss_mix', 'acc_seg'} <= set(losses)
    logits, mask_feature = head.forward_with_mask_feature(x)
    ce = F.cross_entropy(logits[:3], labels[:3])
    assert losses['loss_ce'].item() == pytest.approx(ce.item(), rel=1e-5)
    binary = (labels != 0).long()
    binary[3] = 255
    mean = F.interpolate(
        mask_feature.mean(1, keepdim=True), size=(64, 64), mode='bilinear')
    assert losses['loss_mix'].item() == pytest.approx(
        0.1 * FrameDiceLoss()(mean, binary).item(), abs=1e-6)


def test_bad_configs():
    with pytest.raises(ValueError, match='num_pos_feats'):
        small_head(num_pos_feats=16)
    with pytest.raises(ValueError, match='memory_levels'):
        small_head(memory_levels=(0, 1, 2))
    with pytest.raises(ValueError, match='mixer has width 32'):
        small_head(mixer=dict(type='CrossModalMixer', embed_dims=32))
