# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np

from mmavs.datasets.transforms import AVSPhotoMetricDistortion


def test_same_distortion_for_every_frame():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)
    changed = 0
    for seed in range(5):
        np.random.seed(seed)
        out = AVSPhotoMetricDistortion()(dict(imgs=[img.copy()] * 3))
        for other in out['imgs'][1:]:
            np.testing.assert_array_equal(other, out['imgs'][0])
        changed += int(not np.array_equal(out['imgs'][0], img))
        assert out['imgs'][0].dtype == np.uint8
    assert changed > 0
    assert 'hue_delta=18' in repr(AVSPhotoMetricDistortion())
