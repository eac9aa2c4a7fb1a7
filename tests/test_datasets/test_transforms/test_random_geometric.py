# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest

from mmavs.datasets.transforms import AVSRandomCrop, AVSRandomResize


def _clip(h=20, w=30, T=3):
    """Frames and masks that encode their pixel position (same per frame)."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([yy, xx, np.zeros_like(yy)], -1).astype(np.uint8)
    mask = ((yy * w + xx) % 7).astype(np.uint8)
    return dict(imgs=[img.copy() for _ in range(T)],
                gt_masks=[mask.copy() for _ in range(T)])


def test_random_resize_one_ratio_per_clip():
    np.random.seed(0)
    ratio = np.random.uniform(0.5, 2.0)
    np.random.seed(0)
    out = AVSRandomResize((0.5, 2.0))(_clip())
    size = (int(round(20 * ratio)), int(round(30 * ratio)))
    assert out['img_shape'] == size
    assert all(x.shape[:2] == size for x in out['imgs'] + out['gt_masks'])
    # nearest neighbour keeps mask values; all frames alike
    assert set(np.unique(out['gt_masks'][0])) <= set(range(7))
    assert all((m == out['gt_masks'][0]).all() for m in out['gt_masks'])
    with pytest.raises(ValueError, match='ratio_range'):
        AVSRandomResize((2.0, 0.5))


def test_random_crop_same_window_for_all_frames():
    np.random.seed(1)
    out = AVSRandomCrop((8, 10))(_clip())
    img, mask = out['imgs'][0], out['gt_masks'][0]
    y0, x0 = int(img[0, 0, 0]), int(img[0, 0, 1])
    assert img.shape == (8, 10, 3) and out['img_shape'] == (8, 10)
    np.testing.assert_array_equal(img[..., 0], np.arange(y0, y0 + 8)[:, None]
                                  .repeat(10, 1))
    np.testing.assert_array_equal(
        mask, _clip()['gt_masks'][0][y0:y0 + 8, x0:x0 + 10])
    for i, m in zip(out['imgs'], out['gt_masks']):
        np.testing.assert_array_equal(i, img)
        np.testing.assert_array_equal(m, mask)


def test_random_crop_pads_small_clips():
    out = AVSRandomCrop((25, 32), pad_val=(1, 2, 3), seg_pad_val=255)(
        _clip())
    img, mask = out['imgs'][1], out['gt_masks'][1]
    assert img.shape == (25, 32, 3)
    assert img[24, 31].tolist() == [1, 2, 3] and mask[24, 31] == 255
    assert (mask[:20, :30] != 255).all() and (mask[20:] == 255).all()


def test_random_crop_cat_max_ratio():
    clip = _clip(h=10, w=20, T=2)
    clip['gt_masks'] = [np.zeros((10, 20), np.uint8) for _ in range(2)]
    for m in clip['gt_masks']:
        m[:, 10:] = 1  # left half class 0, right half class 1
    np.random.seed(0)
    out = AVSRandomCrop((10, 10), cat_max_ratio=0.75)(clip)
    counts = np.bincount(out['gt_masks'][0].ravel(), minlength=2)
    assert counts.max() / counts.sum() < 0.75
    with pytest.raises(ValueError, match='cat_max_ratio'):
        AVSRandomCrop((4, 4), cat_max_ratio=0)
