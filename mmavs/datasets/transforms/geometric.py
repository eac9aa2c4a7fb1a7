# Copyright (c) mmavs contributors. All rights reserved.
from typing import Tuple

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmavs.registry import TRANSFORMS


@TRANSFORMS.register_module()
class AVSResize(BaseTransform):
    """Resize every frame of a clip, and its masks if loaded, to one size.

    Frames use ``interpolation``; masks always use nearest neighbour so they
    keep their values ({0, 1, ignore_index}).

    mmseg resizes predictions back to ``ori_shape`` before the metric sees
    them. With ``update_ori_shape`` the resized size becomes ``ori_shape``,
    so a test pipeline that resizes the masks too is scored at the resized
    size (the official AVSBench-Semantics evaluation at 224x224); without
    it, load the masks after the resize so they keep ``ori_shape``.

    Required Keys:

    - imgs (list[np.ndarray]): T arrays of shape (H, W, 3).
    - gt_masks (list[np.ndarray], optional): T arrays of shape (H, W).

    Modified Keys:

    - imgs
    - gt_masks
    - img_shape (tuple[int, int]): new (H', W').
    - ori_shape (tuple[int, int]): (H', W') with ``update_ori_shape``.

    Added Keys:

    - scale_factor (tuple[float, float]): (W' / W, H' / H), as in mmseg.
    - keep_ratio (bool)

    Args:
        scale (tuple[int, int]): Target size (W, H); with ``keep_ratio`` the
            largest size whose long and short edges fit ``max(scale)`` and
            ``min(scale)`` (:func:`mmcv.rescale_size`).
        keep_ratio (bool): Keep the aspect ratio. Defaults to False.
        interpolation (str): Frame interpolation of :func:`mmcv.imresize`.
            Defaults to ``'bilinear'``.
        update_ori_shape (bool): Set ``ori_shape`` to the new size, making
            it the size predictions are restored to and scored at. Defaults
            to False.
        backend (str): Backend of :func:`mmcv.imresize`, ``'cv2'`` or
            ``'pillow'`` (the official AVSBench-Semantics code resizes with
            PIL). Defaults to ``'cv2'``.
    """

    def __init__(self,
                 scale: Tuple[int, int],
                 keep_ratio: bool = False,
                 interpolation: str = 'bilinear',
                 update_ori_shape: bool = False,
                 backend: str = 'cv2') -> None:
        if (len(scale) != 2 or not all(isinstance(s, int) for s in scale)
                or min(scale) < 1):
            raise ValueError(
                f'scale must be two positive ints (W, H), got {scale!r}.')
        self.scale = tuple(scale)
        self.keep_ratio = keep_ratio
        self.interpolation = interpolation
        self.update_ori_shape = update_ori_shape
        self.backend = backend

    def _target_size(self, h: int, w: int) -> Tuple[int, int]:
        """Output size (W', H') for an input of (h, w)."""
        if self.keep_ratio:
            return mmcv.rescale_size((w, h), self.scale)
        return self.scale

    def transform(self, results: dict) -> dict:
        """Resize ``imgs`` (and ``gt_masks``).

        Args:
            results (dict): Must hold ``imgs``.

        Returns:
            dict: Resized ``results``.
        """
        h, w = results['imgs'][0].shape[:2]
        new_w, new_h = self._target_size(h, w)
        results['imgs'] = [
            mmcv.imresize(
                img, (new_w, new_h),
                interpolation=self.interpolation,
                backend=self.backend) for img in results['imgs']
        ]
        if 'gt_masks' in results:
            results['gt_masks'] = [
                mmcv.imresize(
                    m, (new_w, new_h),
                    interpolation='nearest',
                    backend=self.backend) for m in results['gt_masks']
            ]
        results['img_shape'] = (new_h, new_w)
        if self.update_ori_shape:
            results['ori_shape'] = (new_h, new_w)
        results['scale_factor'] = (new_w / w, new_h / h)
        results['keep_ratio'] = self.keep_ratio
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, '
                f'keep_ratio={self.keep_ratio}, '
                f"interpolation='{self.interpolation}', "
                f'update_ori_shape={self.update_ori_shape}, '
                f"backend='{self.backend}')")


@TRANSFORMS.register_module()
class AVSRandomFlip(BaseTransform):
    """Flip all frames and masks of a clip together, with probability
    ``prob``.

    A horizontal (or diagonal) flip mirrors the scene left-right, so it also
    swaps the channels of a stereo ``waveform`` (put the flip before the
    transform that turns the waveform into features).

    Required Keys:

    - imgs (list[np.ndarray]): T arrays of shape (H, W, 3).
    - gt_masks (list[np.ndarray], optional): T arrays of shape (H, W).
    - waveform (np.ndarray, optional): Audio of shape (C, L).

    Modified Keys:

    - imgs
    - gt_masks
    - waveform (channels reversed: left <-> right)

    Added Keys:

    - flip (bool)
    - flip_direction (str | None): ``direction`` when flipped, else None.

    Args:
        prob (float): Probability of flipping. Defaults to 0.5.
        direction (str): ``'horizontal'``, ``'vertical'`` or
            ``'diagonal'``. Defaults to ``'horizontal'``.
    """

    DIRECTIONS = ('horizontal', 'vertical', 'diagonal')

    def __init__(self,
                 prob: float = 0.5,
                 direction: str = 'horizontal') -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}.')
        if direction not in self.DIRECTIONS:
            raise ValueError(f'direction must be one of {self.DIRECTIONS}, '
                             f'got {direction!r}.')
        self.prob = prob
        self.direction = direction

    def transform(self, results: dict) -> dict:
        """Draw once per clip and flip every frame and mask alike.

        Args:
            results (dict): Must hold ``imgs``.

        Returns:
            dict: ``results`` with ``flip`` and ``flip_direction``.
        """
        flip = bool(np.random.rand() < self.prob)
        if flip:
            for key in ('imgs', 'gt_masks'):
                if key in results:
                    results[key] = [
                        np.ascontiguousarray(mmcv.imflip(x, self.direction))
                        for x in results[key]
                    ]
            if self.direction != 'vertical' and 'waveform' in results:
                results['waveform'] = np.ascontiguousarray(
                    results['waveform'][::-1])
        results['flip'] = flip
        results['flip_direction'] = self.direction if flip else None
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f"direction='{self.direction}')")
