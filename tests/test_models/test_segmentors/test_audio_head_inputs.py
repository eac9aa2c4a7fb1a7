# Copyright (c) mmavs contributors. All rights reserved.
"""Decode heads that take the audio (``takes_audio = True``)."""
import copy

import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.models.decode_heads import AVSBenchHead
from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()


@MODELS.register_module(force=True)
class _AudioBiasHead(AVSBenchHead):
    """AVSBenchHead whose logits are shifted by a linear map of the audio."""
    takes_audio = True

    def __init__(self, audio_channels: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.audio_bias = torch.nn.Linear(audio_channels, 1)
        self.seen = None

    def forward(self, inputs: dict) -> torch.Tensor:
        self.seen = inputs
        logits = super().forward(inputs['visual'])
        return logits + self.audio_bias(inputs['audio'])[:, :, None, None]


CFG = dict(
    type='AudioVisualSegmentor',
    data_preprocessor=dict(
        type='AVSDataPreprocessor', mean=[0., 0., 0.], std=[1., 1., 1.]),
    backbone=dict(
        type='mmseg.ResNet', depth=18, base_channels=4, stem_channels=4,
        out_indices=(0, 1, 2, 3)),
    neck=dict(type='MultiLevelASPP', in_channels=[4, 8, 16, 32],
              out_channels=8),
    audio_backbone=dict(
        type='VGGish', conv_channels=(4, 'M', 4, 'M', 4, 'M', 4, 'M'),
        fc_channels=(16, ), frozen=False),
    decode_head=dict(
        type='_AudioBiasHead', audio_channels=16, in_channels=[8] * 4,
        mid_channels=8, channels=4, dropout_ratio=0, num_classes=2,
        out_channels=1, threshold=0.5,
        loss_decode=dict(
            type='mmseg.CrossEntropyLoss', use_sigmoid=True,
            avg_non_ignore=True)),
    auxiliary_head=dict(
        type='mmseg.FCNHead', in_channels=8, in_index=3, channels=4,
        num_convs=1, num_classes=2, out_channels=1, threshold=0.5,
        loss_decode=dict(
            type='mmseg.CrossEntropyLoss', use_sigmoid=True,
            loss_weight=0.4)),
    test_cfg=dict(mode='whole'))


def make_batch(num_clips=2, num_frames=3, size=32):
    torch.manual_seed(1)
    imgs = [torch.randint(0, 255, (num_frames, 3, size, size),
                          dtype=torch.uint8) for _ in range(num_clips)]
    audio = [torch.randn(num_frames, 1, 96, 64) for _ in range(num_clips)]
    samples = []
    for _ in range(num_clips * num_frames):
        sample = SegDataSample(
            metainfo=dict(ori_shape=(size, size), img_shape=(size, size)))
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, 2, (1, size, size)))
        samples.append(sample)
    return dict(inputs=dict(imgs=imgs, audio=audio), data_samples=samples)


def build(cfg=CFG):
    torch.manual_seed(0)
    return MODELS.build(copy.deepcopy(cfg))


def test_head_gets_levels_audio_and_num_frames_without_fusion():
    model = build()
    data = model.data_preprocessor(make_batch(), training=True)
    losses = model(**data, mode='loss')
    assert {'decode.loss_ce', 'aux.loss_ce'} <= set(losses)
    seen = model.decode_head.seen
    assert seen['num_frames'] == 3
    assert seen['audio'].shape == (6, 16)
    assert [v.shape[1] for v in seen['visual']] == [8] * 4
    losses['decode.loss_ce'].backward()
    grads = [p.grad for p in model.audio_backbone.parameters()]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)


def test_predictions_follow_the_audio():
    model = build().eval()
    data = model.data_preprocessor(make_batch(), training=False)
    with torch.no_grad():
        model.decode_head.audio_bias.bias.fill_(0.)
        model.decode_head.audio_bias.weight.fill_(1.)
        logits = model(data['inputs'], mode='tensor')
        silent = dict(data['inputs'], audio=torch.zeros_like(
            data['inputs']['audio']))
        assert not torch.allclose(logits, model(silent, mode='tensor'))


def test_audio_head_needs_an_audio_backbone():
    cfg = copy.deepcopy(CFG)
    cfg.pop('audio_backbone')
    with pytest.raises(ValueError, match='_AudioBiasHead takes audio'):
        MODELS.build(cfg)
