# Copyright (c) mmavs contributors. All rights reserved.
from typing import List, Optional, Tuple

import mmcv
import mmengine.fileio as fileio
import numpy as np
from mmcv.transforms import BaseTransform

from mmavs.registry import TRANSFORMS


def _read_image(path: str, flag: str, backend: str,
                backend_args: Optional[dict], what: str) -> np.ndarray:
    """Read one image file, raising errors that name the file."""
    try:
        content = fileio.get(path, backend_args=backend_args)
    except FileNotFoundError as e:
        raise FileNotFoundError(f'{what} not found: {path}') from e
    try:
        img = mmcv.imfrombytes(content, flag=flag, backend=backend)
    except Exception as e:  # decoders raise assorted types on bad data
        raise OSError(f'Cannot decode {what} {path}: {e}') from e
    if img is None or img.size == 0:
        raise OSError(f'Cannot decode {what} {path}: unreadable or corrupt '
                      'image file.')
    return img


@TRANSFORMS.register_module()
class LoadAVSFrames(BaseTransform):
    """Load the T frames of a clip as BGR uint8 images.

    Required Keys:

    - img_paths (list[str]): T frame files.

    Added Keys:

    - imgs (list[np.ndarray]): T uint8 arrays of shape (H, W, 3), BGR.
    - img_shape (tuple[int, int]): (H, W).
    - ori_shape (tuple[int, int]): (H, W).

    Args:
        imdecode_backend (str): Decoder of :func:`mmcv.imfrombytes`.
            Defaults to ``'cv2'``.
        backend_args (dict, optional): Arguments of the mmengine file backend.
            Defaults to None.
    """

    def __init__(self,
                 imdecode_backend: str = 'cv2',
                 backend_args: Optional[dict] = None) -> None:
        self.imdecode_backend = imdecode_backend
        self.backend_args = None if backend_args is None else \
            dict(backend_args)

    def transform(self, results: dict) -> dict:
        """Read every frame and check that all have the same size.

        Args:
            results (dict): Must hold ``img_paths``.

        Returns:
            dict: ``results`` with ``imgs``, ``img_shape``, ``ori_shape``.
        """
        paths = results['img_paths']
        if len(paths) == 0:
            raise ValueError(
                f"Clip {results.get('clip_name')!r} has no frame paths.")
        imgs = [
            _read_image(p, 'color', self.imdecode_backend, self.backend_args,
                        'frame') for p in paths
        ]
        shape = imgs[0].shape[:2]
        for path, img in zip(paths, imgs):
            if img.shape[:2] != shape:
                raise ValueError(
                    f'Frames of clip {results.get("clip_name")!r} differ in '
                    f'size: {paths[0]} is {shape} (H, W) but {path} is '
                    f'{img.shape[:2]}.')
        results['imgs'] = imgs
        results['img_shape'] = tuple(shape)
        results['ori_shape'] = tuple(shape)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f"imdecode_backend='{self.imdecode_backend}', "
                f'backend_args={self.backend_args})')


@TRANSFORMS.register_module()
class LoadAVSAnnotations(BaseTransform):
    """Load the T binary masks of a clip.

    A mask pixel is foreground (1) where any of its channels is > 0 (masks
    may be grayscale 0/255, RGB or palette PNGs; an alpha channel is
    ignored), else background (0). With ``binary=False`` masks are
    single-channel class-index maps (0 = background, ``ignore_index`` =
    no label) and are kept as they are. Frames without a label (``None`` path)
    get a mask filled with ``ignore_index``. mmseg's ``LoadAnnotations`` is
    not used because it would keep 255 as-is, i.e. turn a 0/255 mask into
    "ignore".

    When ``ori_shape`` is present (frames were loaded), every mask must have
    that size.

    Required Keys:

    - seg_map_paths (list[str | None]): T mask files, None = no label.
    - ori_shape (tuple[int, int], optional): (H, W) of the frames.

    Added Keys:

    - gt_masks (list[np.ndarray]): T uint8 arrays of shape (H, W) with
      values in {0, 1, ignore_index} (class indices if not ``binary``).
    - frame_labelled (list[bool]): whether each frame has a mask.

    Args:
        ignore_index (int): Fill value of unlabelled frames. Defaults to 255.
        binary (bool): Binarise the masks; False reads class-index maps.
            Defaults to True.
        imdecode_backend (str): Decoder of :func:`mmcv.imfrombytes`.
            Defaults to ``'cv2'``.
        backend_args (dict, optional): Arguments of the mmengine file backend.
            Defaults to None.
    """

    def __init__(self,
                 ignore_index: int = 255,
                 binary: bool = True,
                 imdecode_backend: str = 'cv2',
                 backend_args: Optional[dict] = None) -> None:
        if not 1 < ignore_index < 256:
            raise ValueError('ignore_index must be in [2, 255] to fit the '
                             f'uint8 masks, got {ignore_index}.')
        self.ignore_index = ignore_index
        self.binary = binary
        self.imdecode_backend = imdecode_backend
        self.backend_args = None if backend_args is None else \
            dict(backend_args)

    def _load_mask(self, path: str) -> np.ndarray:
        """(H, W) uint8 mask, 1 where any colour channel is > 0, or the
        class indices of a single-channel mask if not ``binary``."""
        mask = _read_image(path, 'unchanged', self.imdecode_backend,
                           self.backend_args, 'mask')
        if not self.binary:
            if mask.ndim != 2 or mask.dtype != np.uint8:
                raise ValueError(
                    f'Class-index mask {path} must be single-channel 8-bit, '
                    f'got shape {mask.shape} and dtype {mask.dtype}.')
            return mask
        if mask.ndim == 3:
            mask = mask[..., :3].max(axis=2)  # drop alpha, any channel > 0
        return (mask > 0).astype(np.uint8)

    def transform(self, results: dict) -> dict:
        """Read and binarise the masks.

        Args:
            results (dict): Must hold ``seg_map_paths``.

        Returns:
            dict: ``results`` with ``gt_masks`` and ``frame_labelled``.
        """
        paths = results['seg_map_paths']
        ref_shape: Optional[Tuple[int, int]] = results.get('ori_shape')
        masks: List[Optional[np.ndarray]] = []
        for path in paths:
            if path is None:
                masks.append(None)
                continue
            mask = self._load_mask(path)
            if ref_shape is not None and mask.shape != tuple(ref_shape):
                ref = 'its frame' if 'ori_shape' in results else \
                    'the first mask'
                raise ValueError(
                    f'Mask {path} is {mask.shape} (H, W) but {ref} is '
                    f'{tuple(ref_shape)}.')
            ref_shape = ref_shape or mask.shape
            masks.append(mask)
        if ref_shape is None:
            raise ValueError(
                f"Clip {results.get('clip_name')!r} has no labelled frame and "
                'no ori_shape; load the frames first to size the ignore '
                'masks.')
        results['gt_masks'] = [
            np.full(ref_shape, self.ignore_index, dtype=np.uint8)
            if m is None else m for m in masks
        ]
        results['frame_labelled'] = [m is not None for m in masks]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'ignore_index={self.ignore_index}, '
                f'binary={self.binary}, '
                f"imdecode_backend='{self.imdecode_backend}', "
                f'backend_args={self.backend_args})')
