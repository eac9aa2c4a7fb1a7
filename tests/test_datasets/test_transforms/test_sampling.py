# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest

from mmavs.datasets.transforms import AVSSampleFrames


def _info():
    return dict(
        clip_name='c',
        img_paths=[f'{i}.jpg' for i in range(5)],
        seg_map_paths=['0.png', None, '2.png', None, '4.png'],
        num_frames=5)


def test_samples_labelled_frames_in_order():
    seen = set()
    for seed in range(20):
        np.random.seed(seed)
        out = AVSSampleFrames(num_frames=2)(_info())
        a, b = out['frame_indices']
        assert a < b and {a, b} <= {0, 2, 4}
        assert out['img_paths'] == [f'{a}.jpg', f'{b}.jpg']
        assert out['seg_map_paths'] == [f'{a}.png', f'{b}.png']
        assert out['num_frames'] == 2 and out['clip_num_frames'] == 5
        seen.add((a, b))
    assert len(seen) == 3
    out = AVSSampleFrames(num_frames=5, labelled_only=False)(_info())
    assert out['frame_indices'] == [0, 1, 2, 3, 4]


def test_errors():
    with pytest.raises(ValueError, match='fewer than num_frames=4'):
        AVSSampleFrames(num_frames=4)(_info())
    with pytest.raises(ValueError, match='positive int'):
        AVSSampleFrames(num_frames=0)
    out = AVSSampleFrames()(_info())
    with pytest.raises(ValueError, match='once'):
        AVSSampleFrames()(out)
