# Copyright (c) mmavs contributors. All rights reserved.
import cv2
import numpy as np
import pytest

from mmavs.datasets import voc_palette
from mmavs.datasets.transforms import LoadAVSSemanticAnnotations


def _write_rgb(path, rgb):
    assert cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]))
    return str(path)


def test_decodes_colour_masks_and_fills_unlabelled(tmp_path):
    index = np.array([[0, 1], [2, 70]], dtype=np.uint8)
    path = _write_rgb(tmp_path / '0.png', voc_palette(71)[index])
    out = LoadAVSSemanticAnnotations(palette=71)(
        dict(seg_map_paths=[path, None], ori_shape=(2, 2)))
    np.testing.assert_array_equal(out['gt_masks'][0], index)
    np.testing.assert_array_equal(out['gt_masks'][1], np.full((2, 2), 255))
    assert out['frame_labelled'] == [True, False]


def test_explicit_palette(tmp_path):
    colours = [[10, 20, 30], [200, 100, 0]]
    rgb = np.array([[colours[1], colours[0]]], dtype=np.uint8)
    path = _write_rgb(tmp_path / 'm.png', rgb)
    out = LoadAVSSemanticAnnotations(palette=colours)(
        dict(seg_map_paths=[path]))
    assert out['gt_masks'][0].tolist() == [[1, 0]]


def test_unknown_colour_names_file(tmp_path):
    rgb = voc_palette(71)[np.zeros((3, 3), dtype=np.uint8)]
    rgb[1, 2] = (128, 0, 1)
    path = _write_rgb(tmp_path / 'bad.png', rgb)
    with pytest.raises(ValueError, match=r'bad\.png.*\(128, 0, 1\)'):
        LoadAVSSemanticAnnotations(palette=71)(dict(seg_map_paths=[path]))
    # a colour of class 5 is unknown to a 5-class palette (0..4)
    rgb[1, 2] = voc_palette(6)[5]
    path = _write_rgb(tmp_path / 'bad5.png', rgb)
    with pytest.raises(ValueError, match='5-class palette'):
        LoadAVSSemanticAnnotations(palette=5)(dict(seg_map_paths=[path]))


def test_bad_arguments():
    with pytest.raises(ValueError, match='RGB triples'):
        LoadAVSSemanticAnnotations(palette=[[0, 0]])
    with pytest.raises(ValueError, match='collide'):
        LoadAVSSemanticAnnotations(palette=256)
    assert 'palette=71' in repr(LoadAVSSemanticAnnotations())
