# Copyright (c) mmavs contributors. All rights reserved.
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class ResidualConvUnit(nn.Module):
    """ReLU-conv-ReLU-conv with a residual connection (3x3 convs, bias).

    The official block applies an in-place ReLU to its input before the
    residual sum, so the shortcut carries ``relu(x)``; this is kept, without
    modifying the caller's tensor.

    Args:
        channels (int): Input and output channels.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, H, W)."""
        x = F.relu(x)
        return self.conv2(F.relu(self.conv1(x))) + x


class FeatureFusionBlock(nn.Module):
    """Merge a decoder feature with a skip feature and upsample by 2.

    ``out = up2(rcu2(x + rcu1(skip)))`` (``rcu1`` unused at the deepest
    level), bilinear with ``align_corners=True``.

    Args:
        channels (int): Channels of both inputs and the output.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.resConfUnit1 = ResidualConvUnit(channels)
        self.resConfUnit2 = ResidualConvUnit(channels)

    def forward(self, x: Tensor, skip: Optional[Tensor] = None) -> Tensor:
        """Fuse and upsample.

        Args:
            x (Tensor): Decoder feature of shape (N, C, H, W).
            skip (Tensor, optional): Encoder feature of the same shape.

        Returns:
            Tensor: Shape (N, C, 2H, 2W).
        """
        if skip is not None:
            x = x + self.resConfUnit1(skip)
        x = self.resConfUnit2(x)
        return F.interpolate(
            x, scale_factor=2, mode='bilinear', align_corners=True)
