# Copyright (c) mmavs contributors. All rights reserved.
import cv2
import numpy as np
import pytest
from PIL import Image

from mmavs.datasets.transforms import LoadAVSAnnotations, LoadAVSFrames
from mmavs.registry import TRANSFORMS


def _frames(tmp_path, num=3, h=6, w=8):
    """Write ``num`` random BGR PNG frames; return paths and arrays."""
    rng = np.random.default_rng(0)
    paths, imgs = [], []
    for i in range(num):
        img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        path = str(tmp_path / f'frame_{i + 1}.png')
        cv2.imwrite(path, img)
        paths.append(path)
        imgs.append(img)
    return paths, imgs


def test_load_frames(tmp_path):
    paths, imgs = _frames(tmp_path)
    results = LoadAVSFrames()(dict(img_paths=paths, clip_name='c'))
    assert len(results['imgs']) == 3
    for loaded, img in zip(results['imgs'], imgs):
        assert loaded.dtype == np.uint8 and loaded.shape == (6, 8, 3)
        np.testing.assert_array_equal(loaded, img)  # BGR, as written
    assert results['img_shape'] == results['ori_shape'] == (6, 8)
    assert results['clip_name'] == 'c'


def test_load_frames_errors(tmp_path):
    paths, _ = _frames(tmp_path)
    cv2.imwrite(paths[2], np.zeros((6, 9, 3), np.uint8))
    with pytest.raises(ValueError, match='differ in size') as info:
        LoadAVSFrames()(dict(img_paths=paths, clip_name='clip7'))
    assert paths[2] in str(info.value) and 'clip7' in str(info.value)
    with open(paths[1], 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n not an image')
    with pytest.raises(OSError, match='Cannot decode frame') as info:
        LoadAVSFrames()(dict(img_paths=paths))
    assert paths[1] in str(info.value)
    missing = str(tmp_path / 'nope_1.png')
    with pytest.raises(FileNotFoundError, match='frame not found') as info:
        LoadAVSFrames()(dict(img_paths=[missing]))
    assert missing in str(info.value)
    with pytest.raises(ValueError, match='no frame paths'):
        LoadAVSFrames()(dict(img_paths=[]))


def test_load_frames_repr_and_registry():
    t = TRANSFORMS.build(dict(type='LoadAVSFrames', imdecode_backend='pillow'))
    assert isinstance(t, LoadAVSFrames)
    assert repr(t) == ("LoadAVSFrames(imdecode_backend='pillow', "
                       'backend_args=None)')


def test_load_annotations_binarises(tmp_path):
    gray = np.array([[0, 255, 1], [0, 0, 128]], np.uint8)
    cv2.imwrite(str(tmp_path / 'gray.png'), gray)
    color = np.zeros((2, 3, 3), np.uint8)
    color[0, 0, 2] = 200  # only the red channel (BGR order) is set
    color[1, 2] = (0, 7, 0)
    cv2.imwrite(str(tmp_path / 'color.png'), color)
    palette = Image.fromarray(np.array([[0, 1, 2], [2, 0, 0]], np.uint8), 'P')
    palette.putpalette([0, 0, 0, 128, 0, 0, 0, 128, 0] + [0] * 759)
    palette.save(str(tmp_path / 'palette.png'))
    paths = [str(tmp_path / n) for n in ('gray.png', 'color.png')]
    paths += [None, str(tmp_path / 'palette.png')]
    results = LoadAVSAnnotations()(
        dict(seg_map_paths=paths, ori_shape=(2, 3)))
    masks = results['gt_masks']
    assert [m.dtype for m in masks] == [np.uint8] * 4
    np.testing.assert_array_equal(masks[0], [[0, 1, 1], [0, 0, 1]])
    np.testing.assert_array_equal(masks[1], [[1, 0, 0], [0, 0, 1]])
    np.testing.assert_array_equal(masks[2], np.full((2, 3), 255))
    np.testing.assert_array_equal(masks[3], [[0, 1, 1], [1, 0, 0]])
    assert results['frame_labelled'] == [True, True, False, True]


def test_load_annotations_ignore_index_and_size(tmp_path):
    cv2.imwrite(str(tmp_path / 'm.png'), np.full((4, 5), 255, np.uint8))
    path = str(tmp_path / 'm.png')
    results = LoadAVSAnnotations(ignore_index=100)(
        dict(seg_map_paths=[None, path]))
    np.testing.assert_array_equal(results['gt_masks'][0],
                                  np.full((4, 5), 100))
    np.testing.assert_array_equal(results['gt_masks'][1], np.ones((4, 5)))
    # masks are compared with the frames' original size
    with pytest.raises(ValueError, match=r'\(4, 5\).*its frame.*\(4, 6\)'):
        LoadAVSAnnotations()(dict(seg_map_paths=[path], ori_shape=(4, 6)))
    other = str(tmp_path / 'other.png')
    cv2.imwrite(other, np.zeros((3, 5), np.uint8))
    with pytest.raises(ValueError, match='first mask') as info:
        LoadAVSAnnotations()(dict(seg_map_paths=[path, other]))
    assert other in str(info.value)
    with pytest.raises(ValueError, match='no labelled frame'):
        LoadAVSAnnotations()(dict(seg_map_paths=[None, None], clip_name='c'))
    results = LoadAVSAnnotations()(
        dict(seg_map_paths=[None], ori_shape=(2, 2)))
    np.testing.assert_array_equal(results['gt_masks'][0], np.full((2, 2),
                                                                  255))
    with pytest.raises(ValueError, match='ignore_index'):
        LoadAVSAnnotations(ignore_index=1)


def test_load_annotations_unreadable(tmp_path):
    corrupt = str(tmp_path / 'corrupt_1.png')
    with open(corrupt, 'wb') as f:
        f.write(b'garbage')
    with pytest.raises(OSError, match='Cannot decode mask') as info:
        LoadAVSAnnotations()(dict(seg_map_paths=[corrupt]))
    assert corrupt in str(info.value)
    missing = str(tmp_path / 'missing_1.png')
    with pytest.raises(FileNotFoundError, match='mask not found') as info:
        LoadAVSAnnotations()(dict(seg_map_paths=[missing]))
    assert missing in str(info.value)


def test_load_annotations_repr():
    t = TRANSFORMS.build(dict(type='LoadAVSAnnotations', ignore_index=254))
    assert repr(t) == ("LoadAVSAnnotations(ignore_index=254, binary=True, "
                       "imdecode_backend='cv2', backend_args=None)")


def test_load_annotations_class_indices(tmp_path):
    index = np.array([[0, 3, 3], [21, 0, 255]], dtype=np.uint8)
    cv2.imwrite(str(tmp_path / 'index.png'), index)
    out = LoadAVSAnnotations(binary=False)(
        dict(seg_map_paths=[str(tmp_path / 'index.png'), None]))
    np.testing.assert_array_equal(out['gt_masks'][0], index)  # kept as-is
    assert (out['gt_masks'][1] == 255).all()
    cv2.imwrite(str(tmp_path / 'rgb.png'), np.zeros((2, 3, 3), np.uint8))
    with pytest.raises(ValueError, match=r'rgb.png must be single-channel'):
        LoadAVSAnnotations(binary=False)(
            dict(seg_map_paths=[str(tmp_path / 'rgb.png')]))
    assert 'binary=False' in repr(LoadAVSAnnotations(binary=False))
