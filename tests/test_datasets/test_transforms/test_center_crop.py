# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest
from PIL import Image

from mmavs.datasets.transforms import AVSResizeCenterCrop


def official_crop(img, size, resample):
    """``crop_resize_img`` of the official ``color_dataloader.py``."""
    pil = Image.fromarray(img)
    w, h = pil.size
    if w > h:
        oh, ow = size, int(1.0 * w * size / h)
    else:
        ow, oh = size, int(1.0 * h * size / w)
    pil = pil.resize((ow, oh), resample)
    x1, y1 = int(round((ow - size) / 2.)), int(round((oh - size) / 2.))
    return np.array(pil.crop((x1, y1, x1 + size, y1 + size)))


@pytest.mark.parametrize('hw', [(6, 9), (10, 7), (240, 360), (5, 5)])
def test_matches_the_official_crop(hw):
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 256, (*hw, 3), dtype=np.uint8) for _ in range(2)]
    masks = [rng.integers(0, 71, hw, dtype=np.uint8) for _ in range(2)]
    size = 224 if hw[0] > 100 else 4
    out = AVSResizeCenterCrop(size)(dict(imgs=imgs, gt_masks=masks))
    for img, ref in zip(out['imgs'], imgs):
        np.testing.assert_array_equal(
            img, official_crop(ref, size, Image.BILINEAR))
    for mask, ref in zip(out['gt_masks'], masks):
        np.testing.assert_array_equal(
            mask, official_crop(ref, size, Image.NEAREST))
    assert out['img_shape'] == (size, size)


def test_truncation_and_offset():
    # 10x7 (H x W) -> 5x4 (int(5.71) = 5, not 6), crop offset round(0.5) = 0
    mask = np.repeat(np.arange(10, dtype=np.uint8)[:, None], 7, axis=1)
    out = AVSResizeCenterCrop(4)(
        dict(imgs=[np.zeros((10, 7, 3), np.uint8)], gt_masks=[mask]))
    assert out['gt_masks'][0].shape == (4, 4)
    ref = np.array(Image.fromarray(mask).resize((4, 5), Image.NEAREST))
    np.testing.assert_array_equal(out['gt_masks'][0], ref[:4])


def test_bad_size_and_repr():
    for bad in (0, True, 2.5):
        with pytest.raises(ValueError, match='positive int'):
            AVSResizeCenterCrop(bad)
    assert repr(AVSResizeCenterCrop(224)) == (
        "AVSResizeCenterCrop(size=224, backend='pillow')")
