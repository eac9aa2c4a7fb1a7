# Copyright (c) mmavs contributors. All rights reserved.
"""The official quadratic TPAVI, a reference for tests and benchmarks."""
from typing import Optional

import torch.nn.functional as F
from torch import Tensor

from mmavs.models.fusion import TPAVIBlock


def quadratic_tpavi(block: TPAVIBlock,
                    x: Tensor,
                    audio: Optional[Tensor] = None) -> Tensor:
    """TPAVI as the official ``TPAVIModule`` (mode ``'dot'``) computes it.

    The audio, projected to C channels, is tiled over H and W, and the full
    (THW, THW) attention ``f = theta^T phi`` is formed and divided by
    ``N = T*H*W`` before it multiplies ``g``; with ``audio=None`` the keys are
    the video itself (official ``tpavi_vv``). Both need memory quadratic in
    T*H*W. Uses the weights of ``block``.

    Args:
        block (TPAVIBlock): The weights.
        x (Tensor): Visual features of shape (B, C, T, H, W).
        audio (Tensor, optional): Audio features of shape (B, T, D).

    Returns:
        Tensor: Fused features of shape (B, C, T, H, W).
    """
    b, c, t, h, w = x.shape
    if audio is None:
        keys = x
    else:
        a = block.align_channel(audio).permute(0, 2, 1)  # (B, C, T)
        keys = a[..., None, None].repeat(1, 1, 1, h, w)
    g = block.g(x).view(b, block.inter_channels, -1).permute(0, 2, 1)
    theta = block.theta(x).view(b, block.inter_channels, -1).permute(0, 2, 1)
    phi = block.phi(keys).view(b, block.inter_channels, -1)
    f = theta @ phi  # (B, THW, THW)
    y = (f / f.size(-1)) @ g
    y = y.permute(0, 2, 1).reshape(b, block.inter_channels, t, h, w)
    z = block.W_z(y) + x
    return F.layer_norm(
        z.permute(0, 2, 3, 4, 1), (c, ), block.norm_layer.weight,
        block.norm_layer.bias).permute(0, 4, 1, 2, 3)
