# Copyright (c) mmavs contributors. All rights reserved.
"""Colour palettes of class-index masks.

AVSBench-Semantics stores its masks as RGB images whose colours follow the
PASCAL-VOC bit-interleaved palette: bits 0, 1 and 2 of a class index set the
most significant bit of R, G and B, bits 3, 4 and 5 the next one, and so on
(class 1 -> (128, 0, 0), class 2 -> (0, 128, 0), class 8 -> (64, 0, 0)).
"""
from typing import Optional

import numpy as np


def voc_palette(num_classes: int) -> np.ndarray:
    """The PASCAL-VOC bit-interleaved palette.

    Args:
        num_classes (int): Number of colours, 1 to 256.

    Returns:
        np.ndarray: uint8 RGB colours with shape (num_classes, 3); row ``j``
        is the colour of class ``j`` (class 0 is black).
    """
    if not 1 <= num_classes <= 256:
        raise ValueError(
            f'num_classes must be in [1, 256], got {num_classes}.')
    palette = np.zeros((num_classes, 3), dtype=np.uint8)
    for j in range(num_classes):
        label, bit = j, 7
        while label > 0:
            for channel in range(3):
                palette[j, channel] |= ((label >> channel) & 1) << bit
            label >>= 3
            bit -= 1
    return palette


def _rgb_codes(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB -> (...) int64 codes ``R << 16 | G << 8 | B``."""
    rgb = rgb.astype(np.int64)
    return rgb[..., 0] << 16 | rgb[..., 1] << 8 | rgb[..., 2]


def decode_color_mask(rgb: np.ndarray,
                      palette: np.ndarray,
                      source: Optional[str] = None) -> np.ndarray:
    """Map every pixel colour of a mask to its class index, exactly.

    Args:
        rgb (np.ndarray): uint8 RGB mask with shape (H, W, 3).
        palette (np.ndarray): Distinct RGB colours with shape (K, 3), row
            ``j`` being class ``j``; K <= 256.
        source (str, optional): Name of the mask (its file) for errors.

    Returns:
        np.ndarray: uint8 class indices with shape (H, W).

    Raises:
        ValueError: A pixel has a colour outside the palette (the message
            names ``source``, the colour, the first such pixel (y, x) and
            how many pixels have an unknown colour).
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f'Colour mask {source or ""} must have shape '
                         f'(H, W, 3), got {rgb.shape}.')
    palette_codes = _rgb_codes(np.asarray(palette, dtype=np.uint8))
    if len(np.unique(palette_codes)) != len(palette_codes):
        raise ValueError('The palette repeats a colour.')
    order = np.argsort(palette_codes)
    sorted_codes = palette_codes[order]
    codes = _rgb_codes(rgb)
    pos = np.searchsorted(sorted_codes, codes)
    pos = np.minimum(pos, len(sorted_codes) - 1)
    unknown = sorted_codes[pos] != codes
    if unknown.any():
        ys, xs = np.nonzero(unknown)
        colour = tuple(int(c) for c in rgb[ys[0], xs[0]])
        raise ValueError(
            f'Mask {source or "<array>"} has a colour outside the '
            f'{len(palette)}-class palette: RGB {colour} at pixel (y, x) = '
            f'({ys[0]}, {xs[0]}); {int(unknown.sum())} pixel(s) have '
            'unknown colours.')
    return order[pos].astype(np.uint8)


def encode_class_mask(index: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Colour a class-index mask with a palette.

    Args:
        index (np.ndarray): Integer class indices with shape (H, W), each
            in [0, K).
        palette (np.ndarray): RGB colours with shape (K, 3).

    Returns:
        np.ndarray: uint8 RGB mask with shape (H, W, 3).
    """
    palette = np.asarray(palette, dtype=np.uint8)
    if index.size and (index.min() < 0 or index.max() >= len(palette)):
        raise ValueError(f'Class indices must be in [0, {len(palette)}), '
                         f'got [{index.min()}, {index.max()}].')
    return palette[index]
