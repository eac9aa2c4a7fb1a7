# Copyright (c) mmavs contributors. All rights reserved.
import torch.nn as nn
from torch import Tensor


class TokenMlp(nn.Module):
    """Two linear layers with a GELU between them, applied per token.

    The ``Mlp`` of timm's vision transformers without dropout (``fc1``,
    exact GELU, ``fc2``), as CAVP uses it for its visual projector and the
    feed-forward part of its attention blocks.

    Args:
        in_channels (int): Input width.
        hidden_channels (int): Width after ``fc1``.
        out_channels (int, optional): Output width. Defaults to None
            (``in_channels``).
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int,
                 out_channels: int = None) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_channels, hidden_channels)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_channels, out_channels or in_channels)

    def forward(self, x: Tensor) -> Tensor:
        """(..., in_channels) -> (..., out_channels)."""
        return self.fc2(self.act(self.fc1(x)))
