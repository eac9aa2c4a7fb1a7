# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest

from mmavs.visualization import attention_heatmap, overlay_mask


def test_overlay_mask_blends_classes_only():
    image = np.full((2, 3, 3), 100, np.uint8)
    mask = np.array([[0, 1, 2], [255, 1, 0]])
    palette = [[0, 0, 0], [200, 0, 0], [0, 50, 250]]
    out = overlay_mask(image, mask, palette, alpha=0.25)
    # background and 255 untouched; class c: 0.75 * 100 + 0.25 * colour
    np.testing.assert_array_equal(out[0, 0], [100, 100, 100])
    np.testing.assert_array_equal(out[1, 0], [100, 100, 100])
    np.testing.assert_array_equal(out[0, 1], [125, 75, 75])
    np.testing.assert_array_equal(out[0, 2], [75, 88, 138])  # 87.5 -> 88
    with pytest.raises(ValueError, match='alpha'):
        overlay_mask(image, mask, palette, alpha=2)
    with pytest.raises(ValueError, match='does not match'):
        overlay_mask(image, mask[:1], palette)


def test_attention_heatmap():
    image = np.zeros((8, 8, 3), np.uint8)
    attn = np.array([[0., 1.], [0., 0.]])
    out = attention_heatmap(image, attn, alpha=1.0)
    assert out.shape == (8, 8, 3)
    # JET: the peak (top right) is red, the minimum (bottom left) blue
    assert out[0, 7, 0] > 100 and out[0, 7, 2] < 50
    assert out[7, 0, 2] > 100 and out[7, 0, 0] < 50
    flat = attention_heatmap(image, np.ones((2, 2)), alpha=1.0)
    assert (flat == flat[0, 0]).all()  # constant map: one colour
    with pytest.raises(ValueError, match='h, w'):
        attention_heatmap(image, np.ones(4))
