# Copyright (c) mmavs contributors. All rights reserved.
from typing import List, Sequence

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from torch import Tensor

from mmavs.registry import MODELS
from ..layers import CAVPASPP


@MODELS.register_module()
class CAVPASPPHead(BaseDecodeHead):
    """The DeepLabV3+ head of the released CAVP, split at its fusion point.

    ``models/visual/deeplabv3/encoder_decoder.py`` of `cyh-0/CAVP
    <https://github.com/cyh-0/CAVP>`_: :class:`CAVPASPP` on the last level
    (``in_index``), upsampled (bilinear, ``align_corners=True``) to the
    first level (``c1_index``), whose ``c1_channels`` reduction (1x1 conv,
    BN, ReLU: ``reduce``) is concatenated after it: the
    ``channels + c1_channels`` (304) feature of :meth:`_forward_feature`,
    where CAVP fuses the audio (:class:`AudioFusionHead`). The classifier
    (:meth:`classify`) is the official ``Upsampling``: two 3x3
    conv-BN-ReLU of ``channels`` (``last_conv``) and ``conv_seg``. Without
    audio, ``forward`` is the official audio-free DeepLabV3+ baseline.
    Parameter names follow the official ones (``aspp.*``, ``reduce.*``,
    ``last_conv.*``; ``classifier`` -> ``conv_seg``).

    Args:
        dilations (Sequence[int]): ASPP dilations. Defaults to (6, 12, 18).
        c1_in_channels (int): Channels of the first level. Defaults to 256.
        c1_channels (int): Its reduction. Defaults to 48.
        c1_index (int): Index of the first level. Defaults to 0.
        **kwargs: :class:`BaseDecodeHead` arguments (``in_channels``,
            ``channels`` (256), ``num_classes``, ``in_index``,
            ``norm_cfg``, ``dropout_ratio``: 0 in CAVP, ...).
    """

    def __init__(self,
                 dilations: Sequence[int] = (6, 12, 18),
                 c1_in_channels: int = 256,
                 c1_channels: int = 48,
                 c1_index: int = 0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        norm_cfg = self.norm_cfg or dict(type='BN')
        self.c1_index = c1_index
        self.aspp = CAVPASPP(
            self.in_channels,
            self.channels,
            dilations,
            hidden_channels=self.channels,
            norm_cfg=norm_cfg)
        self.reduce = nn.Sequential(
            nn.Conv2d(c1_in_channels, c1_channels, 1, bias=False),
            build_norm_layer(norm_cfg, c1_channels)[1], nn.ReLU())
        self.feat_channels = self.channels + c1_channels
        self.last_conv = nn.Sequential(
            nn.Conv2d(
                self.feat_channels, self.channels, 3, padding=1, bias=False),
            build_norm_layer(norm_cfg, self.channels)[1], nn.ReLU(),
            nn.Conv2d(self.channels, self.channels, 3, padding=1, bias=False),
            build_norm_layer(norm_cfg, self.channels)[1], nn.ReLU())

    def _forward_feature(self, inputs: List[Tensor]) -> Tensor:
        """The fusion-point feature.

        Args:
            inputs (list[Tensor]): Backbone levels (N, C_i, H_i, W_i).

        Returns:
            Tensor: Shape (N, channels + c1_channels, H_c1, W_c1).
        """
        low = inputs[self.c1_index]
        out = resize(
            self.aspp(self._transform_inputs(inputs)),
            size=low.shape[2:],
            mode='bilinear',
            align_corners=True)
        return torch.cat([out, self.reduce(low)], dim=1)

    def classify(self, feat: Tensor) -> Tensor:
        """(N, channels + c1_channels, h, w) -> logits (N, K, h, w)."""
        return self.cls_seg(self.last_conv(feat))

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """Logits (N, K, H_c1, W_c1) of the levels, without audio."""
        return self.classify(self._forward_feature(inputs))
