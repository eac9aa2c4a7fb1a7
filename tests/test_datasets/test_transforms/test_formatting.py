# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest
import torch
from mmseg.structures import SegDataSample

from mmavs.datasets.transforms import PackAVSInputs
from mmavs.registry import TRANSFORMS


def _results(t=3, h=4, w=5):
    rng = np.random.default_rng(0)
    return dict(
        imgs=[rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
              for _ in range(t)],
        audio=rng.standard_normal((t, 1, 96, 64)),
        gt_masks=[np.full((h, w), 255, np.uint8)] +
        [rng.integers(0, 2, (h, w)).astype(np.uint8) for _ in range(t - 1)],
        frame_labelled=[False] + [True] * (t - 1),
        img_paths=[f'f_{i}.png' for i in range(t)],
        seg_map_paths=[None] + [f'm_{i}.png' for i in range(1, t)],
        ori_shape=(8, 10),
        img_shape=(h, w),
        scale_factor=(0.5, 0.5),
        clip_name='clip',
        num_frames=t,
        category='drum')


def test_pack_inputs():
    results = _results()
    packed = PackAVSInputs()(results)
    assert set(packed) == {'inputs', 'data_samples'}
    imgs, audio = packed['inputs']['imgs'], packed['inputs']['audio']
    assert imgs.dtype == torch.uint8 and imgs.shape == (3, 3, 4, 5)
    assert imgs.is_contiguous()
    # HWC -> CHW, channel order kept (BGR)
    assert imgs[2, 1, 3, 4].item() == results['imgs'][2][3, 4, 1]
    np.testing.assert_array_equal(imgs[1].numpy(),
                                  results['imgs'][1].transpose(2, 0, 1))
    assert audio.dtype == torch.float32 and audio.shape == (3, 1, 96, 64)
    np.testing.assert_allclose(
        audio.numpy(), results['audio'].astype(np.float32))


def test_pack_data_samples():
    results = _results()
    samples = PackAVSInputs()(results)['data_samples']
    assert len(samples) == 3
    for t, sample in enumerate(samples):
        assert isinstance(sample, SegDataSample)
        gt = sample.gt_sem_seg.data
        assert gt.dtype == torch.int64 and gt.shape == (1, 4, 5)
        np.testing.assert_array_equal(gt[0].numpy(), results['gt_masks'][t])
        assert sample.metainfo == dict(
            img_path=f'f_{t}.png',
            seg_map_path=None if t == 0 else f'm_{t}.png',
            ori_shape=(8, 10),
            img_shape=(4, 5),
            scale_factor=(0.5, 0.5),
            flip=False,
            flip_direction=None,
            clip_name='clip',
            frame_index=t,
            num_frames=3,
            labelled=t > 0)
    assert samples[0].gt_sem_seg.data.unique().tolist() == [255]


def test_pack_without_masks_or_audio_and_custom_keys():
    results = _results(t=2)
    for key in ('gt_masks', 'frame_labelled', 'audio'):
        del results[key]
    results['flip'], results['flip_direction'] = True, 'horizontal'
    # a flipped (negative-stride) view is packed contiguously
    results['imgs'] = [img[:, ::-1] for img in results['imgs']]
    packed = PackAVSInputs(
        meta_keys=('clip_name', 'frame_index', 'labelled', 'flip'))(results)
    assert set(packed['inputs']) == {'imgs'}
    np.testing.assert_array_equal(packed['inputs']['imgs'][0].numpy(),
                                  results['imgs'][0].transpose(2, 0, 1))
    for t, sample in enumerate(packed['data_samples']):
        assert 'gt_sem_seg' not in sample
        assert sample.metainfo == dict(
            clip_name='clip', frame_index=t, labelled=False, flip=True)


def test_pack_errors_and_repr():
    results = _results(t=3)
    results['audio'] = results['audio'][:2]
    with pytest.raises(ValueError, match='audio has 2 examples.*3 frames'):
        PackAVSInputs()(results)
    with pytest.raises(KeyError, match='imgs'):
        PackAVSInputs()(dict(img_paths=['a.png']))
    t = TRANSFORMS.build(dict(type='PackAVSInputs', meta_keys=('clip_name', )))
    assert repr(t) == "PackAVSInputs(meta_keys=('clip_name',))"
