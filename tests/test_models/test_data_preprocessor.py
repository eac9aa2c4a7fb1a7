# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch
from mmseg.structures import SegDataSample

from mmavs.models import AVSDataPreprocessor


def test_stack_bgr_to_rgb_and_normalise():
    pre = AVSDataPreprocessor(
        mean=[10., 20., 30.], std=[1., 2., 5.], bgr_to_rgb=True)
    img = torch.zeros(2, 3, 1, 1, dtype=torch.uint8)
    img[:, 0], img[:, 1], img[:, 2] = 50, 40, 30  # B, G, R
    data = dict(
        inputs=dict(imgs=[img, img], audio=[torch.zeros(2, 1, 96, 64)] * 2),
        data_samples=[SegDataSample() for _ in range(4)])
    out = pre(data)
    imgs = out['inputs']['imgs']
    assert imgs.shape == (2, 2, 3, 1, 1)
    # RGB = (30, 40, 50) -> ((30-10)/1, (40-20)/2, (50-30)/5)
    assert imgs[1, 1, :, 0, 0].tolist() == [20., 10., 4.]
    assert out['inputs']['audio'].shape == (2, 2, 1, 96, 64)
    assert out['data_samples'][3].batch_input_shape == (1, 1)


def test_errors():
    pre = AVSDataPreprocessor()
    with pytest.raises(ValueError, match='differ in imgs shape'):
        pre(dict(inputs=dict(imgs=[torch.zeros(2, 3, 4, 4),
                                   torch.zeros(2, 3, 5, 4)],
                             audio=[torch.zeros(2, 3)] * 2)))
    with pytest.raises(ValueError, match='does not match imgs'):
        pre(dict(inputs=dict(imgs=[torch.zeros(2, 3, 4, 4)],
                             audio=[torch.zeros(3, 3)])))
    with pytest.raises(ValueError, match='3 data samples for 2 frames'):
        pre(dict(inputs=dict(imgs=[torch.zeros(2, 3, 4, 4)],
                             audio=[torch.zeros(2, 3)]),
                 data_samples=[SegDataSample() for _ in range(3)]))
    with pytest.raises(ValueError, match='together'):
        AVSDataPreprocessor(mean=[0, 0, 0])


def test_padded_frames_are_zero_after_normalisation():
    """AVSPadClip's frames: 0 in the normalised input (the official loader
    pads with zero tensors) and 0 in ``frame_mask``."""
    pre = AVSDataPreprocessor(mean=[10., 20., 30.], std=[1., 2., 5.])
    img = torch.full((3, 3, 2, 2), 7, dtype=torch.uint8)
    samples = [
        SegDataSample(metainfo=dict(padded=p))
        for p in (False, False, True, False, False, False)
    ]
    out = pre(
        dict(
            inputs=dict(imgs=[img, img], audio=[torch.zeros(3, 4)] * 2),
            data_samples=samples))
    imgs = out['inputs']['imgs']
    assert out['inputs']['frame_mask'].tolist() == [[1, 1, 0], [1, 1, 1]]
    assert imgs[0, 2].abs().max() == 0
    assert imgs[0, 1, :, 0, 0].tolist() == pytest.approx([-3., -6.5, -4.6])
    # no padded frame: no mask
    plain = pre(
        dict(
            inputs=dict(imgs=[img], audio=[torch.zeros(3, 4)]),
            data_samples=[SegDataSample() for _ in range(3)]))
    assert 'frame_mask' not in plain['inputs']
