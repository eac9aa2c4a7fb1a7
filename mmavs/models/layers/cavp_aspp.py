# Copyright (c) mmavs contributors. All rights reserved.
from typing import Sequence

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmseg.utils import ConfigType
from torch import Tensor


class CAVPASPP(nn.Module):
    """The ASPP of the released CAVP DeepLabV3+ (``models/visual/deeplabv3``
    of `cyh-0/CAVP <https://github.com/cyh-0/CAVP>`_).

    Unlike mmseg's ASPP heads: one BN over the concatenated branches
    (``map_bn``), leaky ReLUs (slope 0.01), the image-pooling branch
    reduced by its own 1x1 conv (``pool_red_conv``) and *added* to the
    reduced branches before the last BN (``red_bn``)::

        out = lrelu(red_bn(red_conv(lrelu(map_bn(cat(map_convs(x)))))
                           + pool_red_conv(lrelu(global_pooling_bn(
                               global_pooling_conv(mean_hw(x)))))))

    No conv has a bias. Parameter names are the official ones.

    Args:
        in_channels (int): Input channels (2048 for a ResNet-50).
        out_channels (int): Output channels (256).
        dilations (Sequence[int]): Dilations of the three 3x3 branches
            (next to a 1x1 one). Defaults to (6, 12, 18).
        hidden_channels (int): Width of each branch. Defaults to 256.
        norm_cfg (dict): Normalisation layers. Defaults to
            ``dict(type='BN')``.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 dilations: Sequence[int] = (6, 12, 18),
                 hidden_channels: int = 256,
                 norm_cfg: ConfigType = dict(type='BN')) -> None:
        super().__init__()
        convs = [nn.Conv2d(in_channels, hidden_channels, 1, bias=False)]
        for d in dilations:
            convs.append(
                nn.Conv2d(
                    in_channels,
                    hidden_channels,
                    3,
                    padding=d,
                    dilation=d,
                    bias=False))
        self.map_convs = nn.ModuleList(convs)
        self.map_bn = build_norm_layer(norm_cfg,
                                       hidden_channels * len(convs))[1]
        self.global_pooling_conv = nn.Conv2d(
            in_channels, hidden_channels, 1, bias=False)
        self.global_pooling_bn = build_norm_layer(norm_cfg,
                                                  hidden_channels)[1]
        self.red_conv = nn.Conv2d(
            hidden_channels * len(convs), out_channels, 1, bias=False)
        self.pool_red_conv = nn.Conv2d(
            hidden_channels, out_channels, 1, bias=False)
        self.red_bn = build_norm_layer(norm_cfg, out_channels)[1]
        self.act = nn.LeakyReLU()

    def forward(self, x: Tensor) -> Tensor:
        """(N, in_channels, H, W) -> (N, out_channels, H, W)."""
        out = torch.cat([conv(x) for conv in self.map_convs], dim=1)
        out = self.red_conv(self.act(self.map_bn(out)))
        pool = x.mean(dim=(2, 3), keepdim=True)
        pool = self.act(self.global_pooling_bn(self.global_pooling_conv(pool)))
        out = out + self.pool_red_conv(pool)  # broadcast over H, W
        return self.act(self.red_bn(out))
