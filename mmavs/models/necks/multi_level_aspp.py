# Copyright (c) mmavs contributors. All rights reserved.
from typing import List, Sequence, Tuple

import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS


class DilatedConvSum(nn.Module):
    """Sum of parallel dilated 3x3 convs (the AVSBench "ASPP" of one stage).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        dilations (Sequence[int]): Dilation (= padding) of each branch.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 dilations: Sequence[int]) -> None:
        super().__init__()
        self.conv2d_list = nn.ModuleList(
            nn.Conv2d(in_channels, out_channels, 3, padding=d, dilation=d)
            for d in dilations)
        for conv in self.conv2d_list:
            # as the official code: weights N(0, 0.01), PyTorch default bias
            nn.init.normal_(conv.weight, 0, 0.01)

    def forward(self, x: Tensor) -> Tensor:
        """(N, C_in, H, W) -> (N, C_out, H, W)."""
        out = self.conv2d_list[0](x)
        for conv in self.conv2d_list[1:]:
            out = out + conv(x)
        return out


@MODELS.register_module()
class MultiLevelASPP(BaseModule):
    """Per-level dilated-conv sums mapping every backbone stage to a common
    width, as in the AVSBench baseline.

    `Audio-Visual Segmentation <https://arxiv.org/abs/2207.05042>`_ calls it
    ASPP: for stage i, the sum of four 3x3 convs with dilation and padding
    3, 6, 12, 18 maps C_i channels to ``out_channels`` (with bias; weights
    drawn from N(0, 0.01), biases PyTorch's default, as in the official
    code). No normalisation or activation follows.

    Args:
        in_channels (Sequence[int]): Channels of each input level.
        out_channels (int): Output channels of every level. Defaults to 256.
        dilations (Sequence[int]): Dilations of the parallel convs.
            Defaults to (3, 6, 12, 18).
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None (the official initialisation above).
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: int = 256,
                 dilations: Sequence[int] = (3, 6, 12, 18),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = list(in_channels)
        self.out_channels = out_channels
        self.convs = nn.ModuleList(
            DilatedConvSum(c, out_channels, dilations)
            for c in self.in_channels)

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tensor]:
        """Map each level.

        Args:
            inputs (Sequence[Tensor]): Level i of shape (N, C_i, H_i, W_i).

        Returns:
            tuple[Tensor]: Level i of shape (N, out_channels, H_i, W_i).
        """
        if len(inputs) != len(self.convs):
            raise ValueError(f'MultiLevelASPP expects {len(self.convs)} '
                             f'levels, got {len(inputs)}')
        outs: List[Tensor] = [conv(x) for conv, x in zip(self.convs, inputs)]
        return tuple(outs)
