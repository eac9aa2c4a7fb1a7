# Copyright (c) mmavs contributors. All rights reserved.
"""Random rescaling and cropping, drawn once per clip."""
from typing import Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmavs.registry import TRANSFORMS
from .geometric import AVSResize


@TRANSFORMS.register_module()
class AVSRandomResize(BaseTransform):
    """Rescale all frames and masks of a clip by one random ratio.

    The ratio ``r`` is drawn uniformly from ``ratio_range`` once per clip and
    the clip is resized to ``(round(r * W), round(r * H))`` by
    :class:`AVSResize` (masks with nearest neighbour), i.e. CAVP's "random
    scaling between 0.5 and 2.0" of the original resolution.

    Required Keys:

    - imgs (list[np.ndarray]): T arrays of shape (H, W, 3).
    - gt_masks (list[np.ndarray], optional): T arrays of shape (H, W).

    Modified Keys:

    - imgs, gt_masks, img_shape

    Added Keys:

    - scale_factor (tuple[float, float]), keep_ratio (bool)

    Args:
        ratio_range (tuple[float, float]): Range of the ratio.
            Defaults to (0.5, 2.0).
        interpolation (str): Frame interpolation. Defaults to ``'bilinear'``.
    """

    def __init__(self,
                 ratio_range: Tuple[float, float] = (0.5, 2.0),
                 interpolation: str = 'bilinear') -> None:
        if len(ratio_range) != 2 or not 0 < ratio_range[0] <= ratio_range[1]:
            raise ValueError('ratio_range must be (low, high) with 0 < low <= '
                             f'high, got {ratio_range!r}.')
        self.ratio_range = tuple(ratio_range)
        self.interpolation = interpolation

    def transform(self, results: dict) -> dict:
        """Draw a ratio and resize the clip.

        Args:
            results (dict): Must hold ``imgs``.

        Returns:
            dict: Resized ``results``.
        """
        ratio = np.random.uniform(*self.ratio_range)
        h, w = results['imgs'][0].shape[:2]
        size = (max(1, int(round(w * ratio))), max(1, int(round(h * ratio))))
        return AVSResize(size, interpolation=self.interpolation)(results)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(ratio_range={self.ratio_range}, '
                f"interpolation='{self.interpolation}')")


@TRANSFORMS.register_module()
class AVSRandomCrop(BaseTransform):
    """Crop all frames and masks of a clip at one random window.

    A clip smaller than ``crop_size`` is first padded at the bottom and right
    (frames with ``pad_val``, masks with ``seg_pad_val``), as the CAVP code
    does, so every output is exactly ``crop_size``. With ``cat_max_ratio <
    1`` the window is redrawn (up to 10 times, mmseg's rule) while one class
    covers more than that share of the labelled pixels of the first labelled
    mask.

    Required Keys:

    - imgs (list[np.ndarray]): T arrays of shape (H, W, 3).
    - gt_masks (list[np.ndarray], optional): T arrays of shape (H, W).
    - frame_labelled (list[bool], optional)

    Modified Keys:

    - imgs, gt_masks, img_shape

    Args:
        crop_size (tuple[int, int]): Crop (H, W).
        cat_max_ratio (float): Largest share of one class in the crop.
            Defaults to 1.0 (no constraint).
        pad_val (float | Sequence[float]): Frame padding value, per channel
            (BGR) or one for all. Defaults to 0.
        seg_pad_val (int): Mask padding value. Defaults to 255.
        ignore_index (int): Label left out of ``cat_max_ratio``.
            Defaults to 255.
    """

    def __init__(self,
                 crop_size: Tuple[int, int],
                 cat_max_ratio: float = 1.0,
                 pad_val: Union[float, Sequence[float]] = 0,
                 seg_pad_val: int = 255,
                 ignore_index: int = 255) -> None:
        if len(crop_size) != 2 or min(crop_size) < 1:
            raise ValueError(f'crop_size must be two positive ints (H, W), '
                             f'got {crop_size!r}.')
        if not 0 < cat_max_ratio <= 1:
            raise ValueError(
                f'cat_max_ratio must be in (0, 1], got {cat_max_ratio}.')
        self.crop_size = tuple(int(s) for s in crop_size)
        self.cat_max_ratio = cat_max_ratio
        self.pad_val = pad_val
        self.seg_pad_val = seg_pad_val
        self.ignore_index = ignore_index

    def _pad(self, results: dict) -> None:
        """Pad frames and masks at the bottom/right up to ``crop_size``."""
        h, w = results['imgs'][0].shape[:2]
        pad_h = max(self.crop_size[0] - h, 0)
        pad_w = max(self.crop_size[1] - w, 0)
        if pad_h == 0 and pad_w == 0:
            return
        fill = np.broadcast_to(np.asarray(self.pad_val), (3, ))
        padded = []
        for img in results['imgs']:
            out = np.empty((h + pad_h, w + pad_w, 3), dtype=img.dtype)
            out[...] = fill.astype(img.dtype)
            out[:h, :w] = img
            padded.append(out)
        results['imgs'] = padded
        if 'gt_masks' in results:
            results['gt_masks'] = [
                np.pad(m, ((0, pad_h), (0, pad_w)),
                       constant_values=self.seg_pad_val)
                for m in results['gt_masks']
            ]

    def _draw_window(self, h: int, w: int) -> Tuple[int, int]:
        """Top-left corner (y, x) of a random window."""
        y = np.random.randint(0, h - self.crop_size[0] + 1)
        x = np.random.randint(0, w - self.crop_size[1] + 1)
        return y, x

    def _reference_mask(self, results: dict):
        """First labelled mask, or None."""
        masks = results.get('gt_masks')
        if masks is None:
            return None
        labelled = results.get('frame_labelled', [True] * len(masks))
        return next((m for m, ok in zip(masks, labelled) if ok), None)

    def _too_uniform(self, mask: np.ndarray, y: int, x: int) -> bool:
        """Whether one class covers more than ``cat_max_ratio``."""
        ch, cw = self.crop_size
        labels, counts = np.unique(
            mask[y:y + ch, x:x + cw], return_counts=True)
        counts = counts[labels != self.ignore_index]
        return len(counts) > 1 and \
            counts.max() / counts.sum() >= self.cat_max_ratio

    def transform(self, results: dict) -> dict:
        """Pad if needed, draw one window and crop every frame and mask.

        Args:
            results (dict): Must hold ``imgs``.

        Returns:
            dict: Cropped ``results``.
        """
        self._pad(results)
        h, w = results['imgs'][0].shape[:2]
        y, x = self._draw_window(h, w)
        ref = self._reference_mask(results)
        if self.cat_max_ratio < 1 and ref is not None:
            for _ in range(10):
                if not self._too_uniform(ref, y, x):
                    break
                y, x = self._draw_window(h, w)
        ch, cw = self.crop_size
        for key in ('imgs', 'gt_masks'):
            if key in results:
                results[key] = [
                    np.ascontiguousarray(a[y:y + ch, x:x + cw])
                    for a in results[key]
                ]
        results['img_shape'] = self.crop_size
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(crop_size={self.crop_size}, '
                f'cat_max_ratio={self.cat_max_ratio}, '
                f'pad_val={self.pad_val}, seg_pad_val={self.seg_pad_val}, '
                f'ignore_index={self.ignore_index})')
