# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.models.decode_heads import AVSBenchHead


def make_head(**kwargs):
    cfg = dict(
        in_channels=[8, 8, 8, 8],
        mid_channels=6,
        channels=4,
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        dropout_ratio=0,
        loss_decode=dict(
            type='mmseg.CrossEntropyLoss',
            use_sigmoid=True,
            avg_non_ignore=True))
    cfg.update(kwargs)
    return AVSBenchHead(**cfg)


def test_output_at_input_resolution():
    head = make_head()
    feats = [torch.randn(2, 8, 16 // 2**i, 16 // 2**i) for i in range(4)]
    assert head(feats).shape == (2, 1, 64, 64)


def test_official_layout():
    head = make_head(in_channels=[256] * 4, mid_channels=128, channels=32)
    names = {k: tuple(v.shape) for k, v in head.state_dict().items()}
    assert names['output_conv.0.weight'] == (128, 256, 3, 3)
    assert names['output_conv.2.weight'] == (32, 128, 3, 3)
    assert names['conv_seg.weight'] == (1, 32, 1, 1)
    assert names['fusion_blocks.3.resConfUnit2.conv1.weight'] == (256, 256, 3,
                                                                  3)


def test_loss_ignores_unlabelled_and_binary_accuracy():
    head = make_head()
    logits = torch.tensor([[[[2., -2.], [2., -2.]]]]).repeat(2, 1, 1, 1)
    samples = []
    for label in ([[1, 0], [0, 0]], [[255, 255], [255, 255]]):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(data=torch.tensor([label]))
        samples.append(sample)
    losses = head.loss_by_feat(logits, samples)
    # only the first frame counts: 3 of its 4 pixels are right
    assert losses['acc_seg'].item() == pytest.approx(75.0)
    p = torch.sigmoid(torch.tensor(2.))
    expected = -(torch.log(p) + torch.log(p) + torch.log(1 - p) +
                 torch.log(p)) / 4
    assert losses['loss_ce'].item() == pytest.approx(expected.item(), 1e-5)


def test_unequal_channels():
    with pytest.raises(ValueError, match='equal in_channels'):
        make_head(in_channels=[8, 16, 8, 8])
