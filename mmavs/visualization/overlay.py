# Copyright (c) mmavs contributors. All rights reserved.
"""Draw masks and audio-visual attention maps on frames."""
from typing import Sequence

import cv2
import numpy as np


def overlay_mask(image: np.ndarray,
                 mask: np.ndarray,
                 palette: Sequence[Sequence[int]],
                 alpha: float = 0.5,
                 background: int = 0) -> np.ndarray:
    """Blend class colours into an image where the mask has a class.

    Pixels of the ``background`` class, and values with no palette entry
    (e.g. ``ignore_index`` 255), keep the image colour.

    Args:
        image (np.ndarray): uint8 (H, W, 3), in the channel order of
            ``palette``.
        mask (np.ndarray): Class indices of shape (H, W).
        palette (Sequence[Sequence[int]]): One colour per class.
        alpha (float): Opacity of the colours in [0, 1]. Defaults to 0.5.
        background (int): Class left undrawn. Defaults to 0.

    Returns:
        np.ndarray: uint8 (H, W, 3).
    """
    if not 0 <= alpha <= 1:
        raise ValueError(f'alpha must be in [0, 1], got {alpha}.')
    if mask.shape != image.shape[:2]:
        raise ValueError(f'mask of shape {mask.shape} does not match the '
                         f'image of shape {image.shape[:2]}.')
    palette = np.asarray(palette, dtype=np.float32)
    drawn = (mask != background) & (mask < len(palette))
    out = image.astype(np.float32)
    colours = palette[mask[drawn].astype(np.int64)]
    out[drawn] = (1 - alpha) * out[drawn] + alpha * colours
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def attention_heatmap(image: np.ndarray,
                      attn: np.ndarray,
                      alpha: float = 0.5) -> np.ndarray:
    """Blend an attention map, min-max scaled and upsampled bilinearly to
    the image size, as a JET heat map (red = most attention).

    Args:
        image (np.ndarray): RGB uint8 (H, W, 3).
        attn (np.ndarray): Attention of shape (h, w).
        alpha (float): Opacity of the heat map. Defaults to 0.5.

    Returns:
        np.ndarray: RGB uint8 (H, W, 3).
    """
    attn = np.asarray(attn, dtype=np.float32)
    if attn.ndim != 2:
        raise ValueError(f'attention must be (h, w), got {attn.shape}.')
    span = attn.max() - attn.min()
    attn = (attn - attn.min()) / span if span > 0 else np.zeros_like(attn)
    h, w = image.shape[:2]
    attn = cv2.resize(attn, (w, h), interpolation=cv2.INTER_LINEAR)
    heat = cv2.applyColorMap(
        np.uint8(np.rint(attn * 255)), cv2.COLORMAP_JET)[..., ::-1]
    out = (1 - alpha) * image.astype(np.float32) + alpha * heat
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
