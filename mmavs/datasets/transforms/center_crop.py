# Copyright (c) mmavs contributors. All rights reserved.
import mmcv
from mmcv.transforms import BaseTransform

from mmavs.registry import TRANSFORMS


@TRANSFORMS.register_module()
class AVSResizeCenterCrop(BaseTransform):
    """Resize a clip's short edge to ``size`` and crop its centre square.

    The training crop of the released AVSBench-Semantics code
    (``crop_resize_img`` of ``color_dataloader.py``): the short edge becomes
    ``size`` and the long edge ``int(long * size / short)`` (truncated), then
    the ``size`` x ``size`` window at ``int(round((edge - size) / 2))`` is
    kept. Frames use bilinear and masks nearest interpolation, with PIL by
    default as the official code.

    Required Keys:

    - imgs (list[np.ndarray]): T arrays of shape (H, W, 3).
    - gt_masks (list[np.ndarray], optional): T arrays of shape (H, W).

    Modified Keys:

    - imgs, gt_masks, img_shape

    Args:
        size (int): Output height and width. Defaults to 224.
        backend (str): Backend of :func:`mmcv.imresize`. Defaults to
            ``'pillow'``.
    """

    def __init__(self, size: int = 224, backend: str = 'pillow') -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f'size must be a positive int, got {size!r}.')
        self.size = size
        self.backend = backend

    def transform(self, results: dict) -> dict:
        """Resize and crop ``imgs`` (and ``gt_masks``).

        Args:
            results (dict): Must hold ``imgs``.

        Returns:
            dict: ``results`` with ``size`` x ``size`` frames and masks.
        """
        h, w = results['imgs'][0].shape[:2]
        s = self.size
        if w > h:
            new_w, new_h = int(1.0 * w * s / h), s
        else:
            new_w, new_h = s, int(1.0 * h * s / w)
        x1, y1 = int(round((new_w - s) / 2.)), int(round((new_h - s) / 2.))
        for key, interpolation in (('imgs', 'bilinear'),
                                   ('gt_masks', 'nearest')):
            if key in results:
                results[key] = [
                    mmcv.imresize(
                        x, (new_w, new_h),
                        interpolation=interpolation,
                        backend=self.backend)[y1:y1 + s, x1:x1 + s]
                    for x in results[key]
                ]
        results['img_shape'] = (s, s)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f"backend='{self.backend}')")
