# Copyright (c) mmavs contributors. All rights reserved.
from typing import Sequence

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmseg.utils import OptConfigType, OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS

# PCA post-processing constants of the VGGish release.
_QUANTIZE_MIN = -2.0
_QUANTIZE_MAX = 2.0


@MODELS.register_module()
class VGGish(BaseModule):
    """VGGish audio backbone.

    `CNN architectures for large-scale audio classification
    <https://arxiv.org/abs/1609.09430>`_, as released for AudioSet and used by
    AVSBench. A VGG-like conv stack ``64-M-128-M-256-256-M-512-512-M`` (3x3
    convs with ReLU, 2x2 max pools) on a ``(96, 64)`` log-mel example,
    flattened in channel-last order as the TensorFlow original, then fully
    connected layers ``12288-4096-4096-128`` with a ReLU after each.

    Parameter names follow the common PyTorch port (``features.0.weight`` ...
    ``embeddings.4.bias``, ``pproc.pca_eigen_vectors``), so its state dict
    loads with ``init_cfg=dict(type='Pretrained', checkpoint=...)``.

    Args:
        conv_channels (Sequence[int | str]): Conv stack; ``'M'`` is a 2x2 max
            pool. Defaults to the VGGish one.
        fc_channels (Sequence[int]): Widths of the fully connected layers; the
            last is the embedding size. Defaults to ``(4096, 4096, 128)``.
        in_shape (tuple[int, int]): Log-mel example size (frames, mel bins).
            Defaults to ``(96, 64)``.
        norm_cfg (dict, optional): A normalisation layer after each conv
            (e.g. ``dict(type='BN')``), for training a VGGish-like encoder
            from scratch; the release has none. Defaults to None.
        postprocess (bool): Apply the release's PCA whitening, clipping to
            [-2, 2] and 8-bit quantisation (not differentiable; AVSBench does
            not use it). Defaults to False.
        frozen (bool): Keep all weights fixed and run without gradients, as
            AVSBench does. Defaults to True.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 conv_channels: Sequence = (64, 'M', 128, 'M', 256, 256, 'M',
                                            512, 512, 'M'),
                 fc_channels: Sequence[int] = (4096, 4096, 128),
                 in_shape: Sequence[int] = (96, 64),
                 norm_cfg: OptConfigType = None,
                 postprocess: bool = False,
                 frozen: bool = True,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.frozen = frozen
        self.postprocess = postprocess
        self.in_shape = tuple(in_shape)
        self.embed_dims = fc_channels[-1]

        layers = []
        in_channels, (h, w) = 1, self.in_shape
        for v in conv_channels:
            if v == 'M':
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                h, w = h // 2, w // 2
            else:
                layers.append(
                    nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
                if norm_cfg is not None:
                    layers.append(build_norm_layer(norm_cfg, v)[1])
                layers.append(nn.ReLU(inplace=True))
                in_channels = v
        self.features = nn.Sequential(*layers)

        fcs, fc_in = [], in_channels * h * w
        for v in fc_channels:
            fcs += [nn.Linear(fc_in, v), nn.ReLU(inplace=True)]
            fc_in = v
        self.embeddings = nn.Sequential(*fcs)

        if postprocess:
            self.pproc = _PCAPostprocess(self.embed_dims)
        if frozen:
            self.requires_grad_(False)

    def forward(self, x: Tensor) -> Tensor:
        """Embed log-mel examples.

        Args:
            x (Tensor): Log-mel examples of shape (N, 1, 96, 64).

        Returns:
            Tensor: Embeddings of shape (N, 128); the 8-bit quantised
            PCA values when ``postprocess`` is set.
        """
        if x.dim() != 4 or tuple(x.shape[1:]) != (1, *self.in_shape):
            raise ValueError('VGGish expects log-mel examples of shape '
                             f'(N, 1, {self.in_shape[0]}, {self.in_shape[1]}),'
                             f' got {tuple(x.shape)}')
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.frozen):
            x = self.features(x)
            # (N, C, H, W) -> (N, H, W, C): channel-last flatten as in TF
            x = x.permute(0, 2, 3, 1).flatten(1)
            x = self.embeddings(x)
            if self.postprocess:
                x = self.pproc(x)
        return x

    def train(self, mode: bool = True) -> 'VGGish':
        """Keep a frozen backbone in eval mode."""
        return super().train(mode and not self.frozen)


class _PCAPostprocess(nn.Module):
    """PCA whitening and 8-bit quantisation of the VGGish release.

    Parameter names match ``vggish_pca_params`` of the PyTorch port
    (``pca_eigen_vectors`` (D, D), ``pca_means`` (D, 1)).
    """

    def __init__(self, embed_dims: int) -> None:
        super().__init__()
        self.pca_eigen_vectors = nn.Parameter(
            torch.eye(embed_dims), requires_grad=False)
        self.pca_means = nn.Parameter(
            torch.zeros(embed_dims, 1), requires_grad=False)

    def forward(self, x: Tensor) -> Tensor:
        """(N, D) embeddings -> (N, D) values in {0, ..., 255}."""
        x = (self.pca_eigen_vectors @ (x.t() - self.pca_means)).t()
        x = x.clamp(_QUANTIZE_MIN, _QUANTIZE_MAX)
        return torch.round(
            (x - _QUANTIZE_MIN) * (255.0 / (_QUANTIZE_MAX - _QUANTIZE_MIN)))
