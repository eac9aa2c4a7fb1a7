# Copyright (c) mmavs contributors. All rights reserved.
from typing import Optional

import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.models.backbones import ResNet
from mmseg.utils import ConfigType, OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS


@MODELS.register_module()
class ResNetAudio(BaseModule):
    """ResNet audio encoder on log-mel spectrograms (CAVP's ResNet-18).

    `Deep Residual Learning <https://arxiv.org/abs/1512.03385>`_, as the
    audio branch of CAVP (`Unraveling Instance Associations: A Closer Look
    for Audio-Visual Segmentation <https://arxiv.org/abs/2304.02970>`_): a
    torchvision-style ResNet (7x7 stride-2 stem for ``in_channels`` input
    channels, max pool, four stages) whose last stage is pooled globally
    (CAVP: adaptive max pooling) and projected by a linear layer. Built on
    :class:`mmseg.models.backbones.ResNet`, so ImageNet weights load with
    ``init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')``
    (the stem conv is then skipped when ``in_channels != 3``, as CAVP
    re-creates it).

    Args:
        depth (int): ResNet depth (18, 34, 50, ...). Defaults to 18.
        in_channels (int): Spectrogram channels: 1 (mono) or 2 (stereo).
            Defaults to 1.
        out_channels (int, optional): Output size of the linear projection
            (CAVP: 512, or 2048 next to a ResNet-50 image encoder); None
            returns the pooled features (512 for depth 18/34, 2048 above).
            Defaults to 512.
        pooling (str): Global pooling, ``'max'`` (CAVP) or ``'avg'``.
            Defaults to ``'max'``.
        norm_cfg (dict): Normalisation layers of the ResNet.
            Defaults to ``dict(type='BN', requires_grad=True)``.
        init_cfg (dict | list[dict], optional): Initialisation config; a
            ``Pretrained`` one loads into the ResNet (the checkpoint's keys
            are torchvision's: ``conv1.weight``, ``layer1.0...``).
            Defaults to None.
    """

    def __init__(self,
                 depth: int = 18,
                 in_channels: int = 1,
                 out_channels: Optional[int] = 512,
                 pooling: str = 'max',
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 init_cfg: OptMultiConfig = None) -> None:
        pretrained = isinstance(init_cfg, dict) and \
            init_cfg.get('type') == 'Pretrained'
        super().__init__(init_cfg=None if pretrained else init_cfg)
        if pooling not in ('max', 'avg'):
            raise ValueError(
                f"pooling must be 'max' or 'avg', got {pooling!r}.")
        self.in_channels = in_channels
        self.resnet = ResNet(
            depth=depth,
            in_channels=in_channels,
            out_indices=(3, ),
            norm_cfg=norm_cfg,
            init_cfg=init_cfg if pretrained else None)
        feat_channels = self.resnet.feat_dim
        self.pool = nn.AdaptiveMaxPool2d(1) if pooling == 'max' else \
            nn.AdaptiveAvgPool2d(1)
        self.proj = nn.Linear(feat_channels, out_channels) \
            if out_channels is not None else None
        self.embed_dims = out_channels or feat_channels

    def forward(self, x: Tensor) -> Tensor:
        """Embed a batch of spectrograms.

        Args:
            x (Tensor): Log-mel spectrograms with shape (N, C, frames, mels),
                N = B*T.

        Returns:
            Tensor: Embeddings with shape (N, embed_dims).
        """
        if x.dim() != 4 or x.size(1) != self.in_channels:
            raise ValueError(
                f'ResNetAudio expects (N, {self.in_channels}, frames, mels), '
                f'got {tuple(x.shape)}.')
        feat = self.pool(self.resnet(x)[0]).flatten(1)
        return self.proj(feat) if self.proj is not None else feat
