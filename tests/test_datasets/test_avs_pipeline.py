# Copyright (c) mmavs contributors. All rights reserved.
"""The whole AVSBench-Object data pipeline on the tiny synthetic tree."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from mmseg.datasets.transforms import PackSegInputs, RandomCrop

from mmavs.datasets import (AVSBenchObjectDataset, LoadAVSFrames,
                            PackAVSInputs, avs_collate)

PIPELINE = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAudio'),
    dict(type='ComputeVGGishExamples', num_examples=5),
    dict(type='AVSResize', scale=(48, 40)),
    dict(type='LoadAVSAnnotations'),
    dict(type='PackAVSInputs'),
]


def _dataset(root, subset, split, **kwargs):
    return AVSBenchObjectDataset(
        root, subset=subset, split=split, pipeline=PIPELINE, **kwargs)


def test_pipeline_s4_train_and_collate(tiny_avs_root):
    dataset = _dataset(tiny_avs_root, 's4', 'train')
    item = dataset[0]
    info = dataset.get_data_info(0)
    imgs, audio = item['inputs']['imgs'], item['inputs']['audio']
    assert imgs.shape == (5, 3, 40, 48) and imgs.dtype == torch.uint8
    assert audio.shape == (5, 1, 96, 64) and audio.dtype == torch.float32
    assert torch.isfinite(audio).all() and audio.std() > 0
    samples = item['data_samples']
    assert [s.labelled for s in samples] == [True, False, False, False, False]
    assert [s.frame_index for s in samples] == [0, 1, 2, 3, 4]
    # masks are loaded after the resize: original size, values {0, 1}
    gt0 = samples[0].gt_sem_seg.data
    assert gt0.shape == (1, 32, 32) and set(gt0.unique().tolist()) == {0, 1}
    png = cv2.imread(info['seg_map_paths'][0], cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(gt0[0].numpy(), (png > 0).astype(np.int64))
    assert samples[3].gt_sem_seg.data.unique().tolist() == [255]
    assert samples[2].img_path == info['img_paths'][2]
    assert samples[0].ori_shape == (32, 32)
    assert samples[0].img_shape == (40, 48)
    assert samples[0].scale_factor == (1.5, 1.25)
    assert samples[0].clip_name == 'syn_s4_train_0000'

    batch = avs_collate([dataset[0], dataset[2]])
    assert [x.shape for x in batch['inputs']['imgs']] == [(5, 3, 40, 48)] * 2
    assert [x.shape for x in batch['inputs']['audio']] == [(5, 1, 96, 64)] * 2
    flat = batch['data_samples']
    assert len(flat) == 10
    assert [s.clip_name for s in flat] == \
        ['syn_s4_train_0000'] * 5 + ['syn_s4_train_0002'] * 5
    assert [s.frame_index for s in flat] == list(range(5)) * 2
    assert [s.labelled for s in flat] == ([True] + [False] * 4) * 2


def test_pipeline_ms3_val_all_labelled(tiny_avs_root):
    item = _dataset(tiny_avs_root, 'ms3', 'val', test_mode=True)[1]
    samples = item['data_samples']
    assert [s.labelled for s in samples] == [True] * 5
    assert all(s.gt_sem_seg.data.max() <= 1 for s in samples)
    assert item['inputs']['imgs'].shape == (5, 3, 40, 48)


@pytest.mark.parametrize('kind', ['img_paths', 'seg_map_paths'])
def test_corrupt_png_named_in_transform(tiny_avs_copy, kind):
    dataset = _dataset(tiny_avs_copy, 'ms3', 'test')
    path = dataset.get_data_info(1)[kind][2]
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n truncated')
    # the dataset only checks existence; the transform reads and fails
    assert len(_dataset(tiny_avs_copy, 'ms3', 'test')) == 2
    dataset[0]
    with pytest.raises(OSError, match='Cannot decode') as info:
        dataset[1]
    assert path in str(info.value)
    assert osp.basename(path).startswith('syn_ms3_test_0001')


def test_pipeline_built_in_mmavs_scope(tiny_avs_root):
    # even under another default scope, unprefixed names resolve in mmavs
    # and its parents; prefixed names keep their own scope
    with DefaultScope.overwrite_default_scope('mmseg'):
        dataset = AVSBenchObjectDataset(
            tiny_avs_root,
            subset='s4',
            split='val',
            pipeline=[
                dict(type='LoadAVSFrames'),
                dict(type='RandomCrop', crop_size=(8, 8)),
                dict(type='mmseg.PackSegInputs'),
                PackAVSInputs(),
            ])
    assert [type(t) for t in dataset.pipeline.transforms
            ] == [LoadAVSFrames, RandomCrop, PackSegInputs, PackAVSInputs]
