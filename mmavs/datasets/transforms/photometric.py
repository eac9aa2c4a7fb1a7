# Copyright (c) mmavs contributors. All rights reserved.
from typing import Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.datasets.transforms import PhotoMetricDistortion

from mmavs.registry import TRANSFORMS


@TRANSFORMS.register_module()
class AVSPhotoMetricDistortion(BaseTransform):
    """Colour jitter with the same random draws for every frame of a clip.

    Runs mmseg's :class:`~mmseg.datasets.transforms.PhotoMetricDistortion`
    (random brightness, contrast, saturation and hue, each with probability
    0.5) on each frame, restoring numpy's global random state before each
    frame so all frames get identical parameters; the state after the last
    frame is kept.

    Required Keys:

    - imgs (list[np.ndarray]): T uint8 BGR arrays of shape (H, W, 3).

    Modified Keys:

    - imgs

    Args:
        brightness_delta (int): Brightness shift range. Defaults to 32.
        contrast_range (Sequence[float]): Contrast factor range.
            Defaults to (0.5, 1.5).
        saturation_range (Sequence[float]): Saturation factor range.
            Defaults to (0.5, 1.5).
        hue_delta (int): Hue shift range (OpenCV hue units, 0-180).
            Defaults to 18.
    """

    def __init__(self,
                 brightness_delta: int = 32,
                 contrast_range: Sequence[float] = (0.5, 1.5),
                 saturation_range: Sequence[float] = (0.5, 1.5),
                 hue_delta: int = 18) -> None:
        self.distortion = PhotoMetricDistortion(
            brightness_delta=brightness_delta,
            contrast_range=tuple(contrast_range),
            saturation_range=tuple(saturation_range),
            hue_delta=hue_delta)

    def transform(self, results: dict) -> dict:
        """Distort every frame with one set of random parameters.

        Args:
            results (dict): Must hold ``imgs``.

        Returns:
            dict: ``results`` with distorted ``imgs``.
        """
        state = np.random.get_state()
        imgs = []
        for img in results['imgs']:
            np.random.set_state(state)
            imgs.append(self.distortion.transform(dict(img=img))['img'])
        results['imgs'] = imgs
        return results

    def __repr__(self) -> str:
        d = self.distortion
        return (f'{self.__class__.__name__}('
                f'brightness_delta={d.brightness_delta}, '
                f'contrast_range=({d.contrast_lower}, {d.contrast_upper}), '
                f'saturation_range=({d.saturation_lower}, '
                f'{d.saturation_upper}), hue_delta={d.hue_delta})')
