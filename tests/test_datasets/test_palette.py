# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest

from mmavs.datasets import decode_color_mask, encode_class_mask, voc_palette


def test_voc_palette_hand_computed_colours():
    palette = voc_palette(71)
    assert palette.shape == (71, 3) and palette.dtype == np.uint8
    # bits (b2 b1 b0) of each 3-bit group -> (B, G, R), MSB first
    assert palette[0].tolist() == [0, 0, 0]
    assert palette[1].tolist() == [128, 0, 0]
    assert palette[2].tolist() == [0, 128, 0]
    assert palette[5].tolist() == [128, 0, 128]
    assert palette[8].tolist() == [64, 0, 0]  # 8 = 0b001_000
    # 70 = 0b001_000_110: low group 110 -> G, B = 128; next 000; next 001
    # -> R = 32
    assert palette[70].tolist() == [32, 128, 128]
    assert len({tuple(c) for c in palette}) == 71
    with pytest.raises(ValueError, match='num_classes'):
        voc_palette(0)


def test_generator_palette_matches(synthetic_avss):
    np.testing.assert_array_equal(
        synthetic_avss.voc_palette(71), voc_palette(71))


def test_decode_exact_and_roundtrip():
    palette = voc_palette(71)
    index = np.array([[0, 1, 2], [70, 8, 255 % 71]], dtype=np.uint8)
    rgb = encode_class_mask(index, palette)
    assert rgb[1, 0].tolist() == [32, 128, 128]
    np.testing.assert_array_equal(decode_color_mask(rgb, palette), index)
    # one unit off a palette colour is not that colour
    rgb[0, 2] = (0, 127, 0)
    with pytest.raises(ValueError) as err:
        decode_color_mask(rgb, palette, 'clip/labels_rgb/0.png')
    msg = str(err.value)
    assert 'clip/labels_rgb/0.png' in msg and '(0, 127, 0)' in msg
    assert '(y, x) = (0, 2)' in msg and '1 pixel(s)' in msg


def test_decode_rejects_bad_shape_and_palette():
    with pytest.raises(ValueError, match=r'\(H, W, 3\)'):
        decode_color_mask(np.zeros((2, 2), np.uint8), voc_palette(3))
    with pytest.raises(ValueError, match='repeats'):
        decode_color_mask(
            np.zeros((2, 2, 3), np.uint8), np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match=r'\[0, 3\)'):
        encode_class_mask(np.array([[3]]), voc_palette(3))
