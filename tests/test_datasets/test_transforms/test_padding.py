# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest

from mmavs.datasets.transforms import AVSPadClip, PackAVSInputs
from mmavs.registry import TRANSFORMS


def _clip(t=5, audio_examples=5):
    return dict(
        clip_name='c',
        imgs=[np.full((4, 6, 3), i + 1, np.uint8) for i in range(t)],
        gt_masks=[np.full((4, 6), i, np.uint8) for i in range(t)],
        img_paths=[f'{i}.jpg' for i in range(t)],
        seg_map_paths=[f'{i}.png' for i in range(t)],
        frame_labelled=[True] * t,
        audio=np.ones((audio_examples, 1, 96, 64), np.float32),
        num_frames=t)


def test_pads_frames_masks_and_audio():
    out = TRANSFORMS.build(dict(type='AVSPadClip', num_frames=10))(_clip())
    assert len(out['imgs']) == len(out['gt_masks']) == 10
    assert [int(x.max()) for x in out['imgs']] == [1, 2, 3, 4, 5] + [0] * 5
    assert all(x.dtype == np.uint8 for x in out['imgs'])
    assert [int(m.min()) for m in out['gt_masks'][5:]] == [255] * 5
    assert out['img_paths'][5:] == out['seg_map_paths'][5:] == [None] * 5
    assert out['frame_labelled'] == [True] * 5 + [False] * 5
    assert out['padded_frames'] == [False] * 5 + [True] * 5
    assert out['num_frames'] == 10
    # silent (all-zero) log-mel examples, as the official loader
    assert out['audio'].shape == (10, 1, 96, 64)
    assert out['audio'][:5].min() == 1 and out['audio'][5:].max() == 0
    packed = PackAVSInputs()(out)
    assert [s.padded for s in packed['data_samples']] == [False] * 5 + [
        True
    ] * 5
    assert tuple(packed['inputs']['imgs'].shape) == (10, 3, 4, 6)


def test_full_clip_and_short_audio():
    # a 10-frame clip whose wav gives 9 examples: only the audio is padded
    out = AVSPadClip(10)(_clip(t=10, audio_examples=9))
    assert out['padded_frames'] == [False] * 10
    assert out['audio'].shape[0] == 10 and out['audio'][9].max() == 0


def test_bad_input():
    with pytest.raises(ValueError, match="clip 'c' has 11 frames"):
        AVSPadClip(10)(_clip(t=11, audio_examples=10))
    with pytest.raises(ValueError, match="clip 'c' has 12 audio examples"):
        AVSPadClip(10)(_clip(t=5, audio_examples=12))
    for bad in (0, True, 2.0):
        with pytest.raises(ValueError, match='positive int'):
            AVSPadClip(bad)
    assert repr(AVSPadClip(10)) == (
        'AVSPadClip(num_frames=10, ignore_index=255)')
