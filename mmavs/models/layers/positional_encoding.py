# Copyright (c) mmavs contributors. All rights reserved.
import torch
from torch import Tensor


def sine_positional_encoding(height: int,
                             width: int,
                             num_feats: int = 128,
                             temperature: float = 10000.,
                             device: torch.device = None) -> Tensor:
    """DETR's sine/cosine position encoding of an unpadded feature map.

    `End-to-End Object Detection with Transformers
    <https://arxiv.org/abs/2005.12872>`_, not normalised (positions are
    1 ... H and 1 ... W, as AVSegFormer). For each axis, feature ``2k`` is
    ``sin(p / temperature^(2k / num_feats))`` and ``2k + 1`` the cosine of
    the same angle; the y features come first.

    Args:
        height (int): Map height H.
        width (int): Map width W.
        num_feats (int): Features per axis. Defaults to 128.
        temperature (float): Frequency base. Defaults to 10000.
        device (torch.device, optional): Device of the result.

    Returns:
        Tensor: Encoding of shape (1, 2 * num_feats, H, W).
    """
    if num_feats % 2:
        raise ValueError(f'num_feats must be even, got {num_feats}')
    half = torch.arange(0, num_feats, 2, dtype=torch.float32, device=device)
    inv_freq = temperature**(-half / num_feats)  # (num_feats / 2, )

    def encode(n: int) -> Tensor:
        angles = torch.arange(
            1, n + 1, dtype=torch.float32, device=device)[:, None] * inv_freq
        # (n, num_feats / 2, 2) -> (n, num_feats): sin, cos interleaved
        return torch.stack((angles.sin(), angles.cos()), -1).flatten(1)

    pos_y = encode(height)[:, None].expand(height, width, num_feats)
    pos_x = encode(width)[None].expand(height, width, num_feats)
    return torch.cat((pos_y, pos_x), -1).permute(2, 0, 1)[None]
