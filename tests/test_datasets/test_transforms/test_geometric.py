# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest

from mmavs.datasets.transforms import AVSRandomFlip, AVSResize
from mmavs.registry import TRANSFORMS


def _clip(t=3, h=4, w=6):
    imgs = [np.full((h, w, 3), 10 * (i + 1), np.uint8) for i in range(t)]
    masks = [np.zeros((h, w), np.uint8) for _ in range(t)]
    return dict(imgs=imgs, gt_masks=masks, img_shape=(h, w), ori_shape=(h, w))


def test_resize_shapes_and_values():
    results = _clip()
    results['gt_masks'][0][:, :3] = 1  # left half foreground
    results['gt_masks'][1][:] = 255  # unlabelled frame
    out = AVSResize(scale=(12, 2))(results)
    assert [img.shape for img in out['imgs']] == [(2, 12, 3)] * 3
    # constant frames stay constant (bilinear)
    assert [int(img.min()) for img in out['imgs']] == [10, 20, 30]
    assert [int(img.max()) for img in out['imgs']] == [10, 20, 30]
    expected = np.zeros((2, 12), np.uint8)
    expected[:, :6] = 1
    np.testing.assert_array_equal(out['gt_masks'][0], expected)
    np.testing.assert_array_equal(out['gt_masks'][1], np.full((2, 12), 255))
    assert out['img_shape'] == (2, 12) and out['ori_shape'] == (4, 6)
    assert out['scale_factor'] == (2.0, 0.5)
    assert out['keep_ratio'] is False


def test_resize_nearest_keeps_binary_masks():
    rng = np.random.default_rng(0)
    results = _clip(t=2, h=7, w=9)
    results['gt_masks'] = [
        rng.integers(0, 2, (7, 9)).astype(np.uint8) for _ in range(2)
    ]
    out = AVSResize(scale=(20, 15))(results)
    for mask in out['gt_masks']:
        assert mask.shape == (15, 20)
        assert set(np.unique(mask)) == {0, 1}


def test_resize_keep_ratio_without_masks():
    results = _clip(t=1, h=20, w=40)
    del results['gt_masks']
    out = AVSResize(scale=(20, 16), keep_ratio=True)(results)
    # long edge 40 -> 20, short edge 20 -> 10 (factor 0.5 fits both)
    assert out['imgs'][0].shape == (10, 20, 3)
    assert out['img_shape'] == (10, 20) and out['scale_factor'] == (0.5, 0.5)
    assert 'gt_masks' not in out


def test_resize_args_and_repr():
    with pytest.raises(ValueError, match='two positive ints'):
        AVSResize(scale=(0, 5))
    with pytest.raises(ValueError, match='two positive ints'):
        AVSResize(scale=(224, ))
    t = TRANSFORMS.build(dict(type='AVSResize', scale=(224, 160)))
    assert repr(t) == ("AVSResize(scale=(224, 160), keep_ratio=False, "
                       "interpolation='bilinear', update_ori_shape=False, "
                       "backend='cv2')")


def test_resize_update_ori_shape():
    out = AVSResize(scale=(12, 2), update_ori_shape=True)(_clip())
    assert out['ori_shape'] == out['img_shape'] == (2, 12)
    assert out['gt_masks'][0].shape == (2, 12)


@pytest.mark.parametrize('direction,moved', [('horizontal', (1, 4)),
                                             ('vertical', (2, 1)),
                                             ('diagonal', (2, 4))])
def test_flip_moves_a_known_pixel(direction, moved):
    results = _clip(t=2, h=4, w=6)
    for img, mask in zip(results['imgs'], results['gt_masks']):
        img[1, 1] = (1, 2, 3)
        mask[1, 1] = 1
    out = AVSRandomFlip(prob=1.0, direction=direction)(results)
    assert out['flip'] is True and out['flip_direction'] == direction
    for img, mask in zip(out['imgs'], out['gt_masks']):
        assert tuple(img[moved]) == (1, 2, 3)
        assert mask[moved] == 1 and mask.sum() == 1
        assert img.flags.c_contiguous and mask.flags.c_contiguous


def test_flip_never_and_same_for_all_frames():
    results = _clip(t=2)
    results['gt_masks'][0][0, 0] = 1
    out = AVSRandomFlip(prob=0.0)(results)
    assert out['flip'] is False and out['flip_direction'] is None
    assert out['gt_masks'][0][0, 0] == 1
    np.random.seed(0)
    decisions = set()
    for _ in range(20):
        results = _clip(t=3)
        for mask in results['gt_masks']:
            mask[0, 0] = 1
        out = AVSRandomFlip(prob=0.5)(results)
        corner = [int(m[0, 5]) for m in out['gt_masks']]
        assert corner == [int(out['flip'])] * 3  # all frames alike
        decisions.add(out['flip'])
    assert decisions == {True, False}


def test_flip_args_and_repr():
    with pytest.raises(ValueError, match='prob'):
        AVSRandomFlip(prob=1.5)
    with pytest.raises(ValueError, match='direction'):
        AVSRandomFlip(direction='left')
    t = TRANSFORMS.build(dict(type='AVSRandomFlip', prob=0.25))
    assert repr(t) == "AVSRandomFlip(prob=0.25, direction='horizontal')"


@pytest.mark.parametrize('direction, swapped',
                         [('horizontal', True), ('diagonal', True),
                          ('vertical', False)])
def test_flip_mirrors_stereo_left_right(direction, swapped):
    wave = np.array([[1., 2., 3.], [-1., -2., -3.]], dtype=np.float32)
    out = AVSRandomFlip(prob=1.0, direction=direction)(
        dict(imgs=[np.zeros((2, 2, 3), np.uint8)], waveform=wave.copy()))
    np.testing.assert_array_equal(out['waveform'],
                                  wave[::-1] if swapped else wave)
