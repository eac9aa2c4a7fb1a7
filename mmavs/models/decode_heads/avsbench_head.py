# Copyright (c) mmavs contributors. All rights reserved.
from typing import List, Sequence

import torch.nn as nn
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.utils import SampleList
from torch import Tensor

from mmavs.registry import MODELS
from ..layers import FeatureFusionBlock


@MODELS.register_module()
class AVSBenchHead(BaseDecodeHead):
    """The decoder of the AVSBench baseline.

    `Audio-Visual Segmentation <https://arxiv.org/abs/2207.05042>`_: starting
    from the deepest level, a :class:`FeatureFusionBlock` per level adds the
    level's feature and upsamples by 2; then ``output_conv`` (3x3 conv to
    ``mid_channels``, bilinear x2, 3x3 conv to ``channels``, ReLU) and
    ``conv_seg`` (1x1 to ``out_channels``). With levels at strides
    4, 8, 16, 32 the logits come out at input resolution.

    Args:
        in_channels (Sequence[int]): Channels of each level, all equal.
        mid_channels (int): Channels after the first output conv.
            Defaults to 128.
        **kwargs: Other arguments of :class:`BaseDecodeHead` (``channels`` is
            the width before ``conv_seg``, 32 in AVSBench).
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 mid_channels: int = 128,
                 **kwargs) -> None:
        kwargs.setdefault('input_transform', 'multiple_select')
        kwargs.setdefault('in_index', list(range(len(in_channels))))
        super().__init__(in_channels=in_channels, **kwargs)
        if len(set(self.in_channels)) != 1:
            raise ValueError('AVSBenchHead needs equal in_channels, got '
                             f'{self.in_channels}')
        width = self.in_channels[0]
        self.fusion_blocks = nn.ModuleList(
            FeatureFusionBlock(width) for _ in self.in_channels)
        self.output_conv = nn.Sequential(
            nn.Conv2d(width, mid_channels, 3, padding=1),
            nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False),
            nn.Conv2d(mid_channels, self.channels, 3, padding=1),
            nn.ReLU(inplace=True))

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        """Decode.

        Args:
            inputs (Sequence[Tensor]): Level i of shape (N, C, H_i, W_i),
                each level half the size of the previous one.

        Returns:
            Tensor: Logits of shape (N, out_channels, 4 H_0, 4 W_0).
        """
        feats: List[Tensor] = self._transform_inputs(inputs)
        out = self.fusion_blocks[-1](feats[-1])
        for block, feat in zip(self.fusion_blocks[-2::-1], feats[-2::-1]):
            out = block(out, feat)
        return self.cls_seg(self.output_conv(out))

    def loss_by_feat(self, seg_logits: Tensor,
                     batch_data_samples: SampleList) -> dict:
        """Compute the losses; ``acc_seg`` is the binary pixel accuracy.

        mmseg's ``accuracy`` takes an argmax over channels, which is
        meaningless for a single logit channel.
        """
        losses = super().loss_by_feat(seg_logits, batch_data_samples)
        if self.out_channels == 1:
            losses['acc_seg'] = self._binary_accuracy(seg_logits,
                                                      batch_data_samples)
        return losses

    def _binary_accuracy(self, seg_logits: Tensor,
                         batch_data_samples: SampleList) -> Tensor:
        """Percentage of labelled pixels with ``sigmoid > threshold`` right."""
        label = self._stack_batch_gt(batch_data_samples).squeeze(1)
        logits = resize(
            seg_logits.detach(),
            size=label.shape[1:],
            mode='bilinear',
            align_corners=self.align_corners).squeeze(1)
        valid = label != self.ignore_index
        pred = (logits.sigmoid() > self.threshold).long()
        if not valid.any():
            return logits.new_tensor(0.)
        return (pred[valid] == label[valid]).float().mean() * 100
