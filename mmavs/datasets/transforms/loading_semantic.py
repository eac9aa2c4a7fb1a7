# Copyright (c) mmavs contributors. All rights reserved.
from typing import Optional, Sequence, Union

import numpy as np

from mmavs.registry import TRANSFORMS
from ..palette import decode_color_mask, voc_palette
from .loading import LoadAVSAnnotations, _read_image


@TRANSFORMS.register_module()
class LoadAVSSemanticAnnotations(LoadAVSAnnotations):
    """Load the T colour masks of a multi-class clip as class indices.

    AVSBench-Semantics stores RGB masks (``labels_rgb/<i>.png``) coloured
    with the PASCAL-VOC bit-interleaved palette. Every colour must be one of
    the palette's (exact match, :func:`mmavs.datasets.decode_color_mask`);
    any other colour raises a ValueError naming the file, the colour and a
    pixel. (Single-channel class-index PNGs are read by
    :class:`LoadAVSAnnotations` with ``binary=False``.)

    Unlabelled frames (``None`` path) are filled with ``ignore_index``; every
    mask must have the size of the frames (see :class:`LoadAVSAnnotations`).

    Required Keys:

    - seg_map_paths (list[str | None]): T mask files, None = no label.
    - ori_shape (tuple[int, int], optional): (H, W) of the frames.

    Added Keys:

    - gt_masks (list[np.ndarray]): T uint8 arrays of shape (H, W) with class
      indices in [0, K) and ``ignore_index``.
    - frame_labelled (list[bool]): whether each frame has a mask.

    Args:
        palette (int | Sequence[Sequence[int]]): An int ``K`` selects the
            VOC bit-interleaved palette of ``K`` classes (AVSBench-Semantics:
            71); a list gives the RGB colours of classes 0, 1, ...
            Defaults to 71.
        ignore_index (int): Fill value of unlabelled frames; must not be a
            class index. Defaults to 255.
        imdecode_backend (str): Decoder of :func:`mmcv.imfrombytes`.
            Defaults to ``'cv2'``.
        backend_args (dict, optional): Arguments of the mmengine file backend.
            Defaults to None.
    """

    def __init__(self,
                 palette: Union[int, Sequence[Sequence[int]]] = 71,
                 ignore_index: int = 255,
                 imdecode_backend: str = 'cv2',
                 backend_args: Optional[dict] = None) -> None:
        super().__init__(
            ignore_index=ignore_index,
            imdecode_backend=imdecode_backend,
            backend_args=backend_args)
        self.palette_arg = palette
        if isinstance(palette, int):
            self.palette = voc_palette(palette)
        else:
            colours = np.asarray(palette, dtype=np.int64)
            if colours.ndim != 2 or colours.shape[1] != 3 or \
                    colours.min() < 0 or colours.max() > 255:
                raise ValueError('palette must be an int or a list of RGB '
                                 f'triples in [0, 255], got {palette!r}.')
            self.palette = colours.astype(np.uint8)
        if len(self.palette) > ignore_index:
            raise ValueError(
                f'A {len(self.palette)}-class palette has class indices up to '
                f'{len(self.palette) - 1}, which collide with ignore_index='
                f'{ignore_index}.')

    def _load_mask(self, path: str) -> np.ndarray:
        """(H, W) uint8 class indices of one colour mask file."""
        bgr = _read_image(path, 'color', self.imdecode_backend,
                          self.backend_args, 'mask')
        return decode_color_mask(bgr[..., ::-1], self.palette, path)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'palette={self.palette_arg!r}, '
                f'ignore_index={self.ignore_index}, '
                f"imdecode_backend='{self.imdecode_backend}', "
                f'backend_args={self.backend_args})')
