# Copyright (c) mmavs contributors. All rights reserved.
import math
from typing import Dict, List, Optional, Sequence, Tuple

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.runner import CheckpointLoader
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS

# The classifier of the ImageNet checkpoints; a backbone has none.
_HEAD_PREFIX = 'head.'
# LayerNorm eps of the official blocks and stage norms; the patch-embedding
# and spatial-reduction norms keep PyTorch's default (1e-5).
_NORM_EPS = 1e-6


class OverlapPatchEmbed(nn.Module):
    """Overlapping patch embedding: a strided conv, flatten, LayerNorm.

    Args:
        in_channels (int): Input channels.
        embed_dims (int): Output channels.
        patch_size (int): Conv kernel size (padding ``patch_size // 2``).
        stride (int): Conv stride.
    """

    def __init__(self, in_channels: int, embed_dims: int, patch_size: int,
                 stride: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(
            in_channels,
            embed_dims,
            patch_size,
            stride=stride,
            padding=patch_size // 2)
        self.norm = nn.LayerNorm(embed_dims)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tuple[int, int]]:
        """(N, C_in, H, W) -> tokens (N, h*w, C) and ``(h, w)``."""
        x = self.proj(x)
        hw = x.shape[2:]
        return self.norm(x.flatten(2).transpose(1, 2)), hw


class SpatialReductionAttention(nn.Module):
    """Multi-head attention whose keys and values come from a spatially
    reduced copy of the tokens.

    ``sr_ratio > 1``: a ``sr_ratio`` x ``sr_ratio`` conv with the same stride,
    then LayerNorm. ``linear``: adaptive average pooling to ``pool_size``, a
    1x1 conv, LayerNorm and GELU (PVT-v2-li). ``kv`` holds the keys in its
    first ``C`` outputs and the values in the last ``C``.

    Args:
        embed_dims (int): Channels C.
        num_heads (int): Attention heads.
        sr_ratio (int): Spatial reduction ratio.
        linear (bool): Linear spatial reduction (pooling). Defaults to False.
        pool_size (int): Pooled size of the linear variant. Defaults to 7.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 sr_ratio: int,
                 linear: bool = False,
                 pool_size: int = 7) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not divisible by '
                             f'num_heads {num_heads}')
        self.num_heads = num_heads
        self.q = nn.Linear(embed_dims, embed_dims)
        self.kv = nn.Linear(embed_dims, embed_dims * 2)
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.linear = linear
        self.reduce = linear or sr_ratio > 1
        if linear:
            self.pool = nn.AdaptiveAvgPool2d(pool_size)
            self.sr = nn.Conv2d(embed_dims, embed_dims, 1)
            self.act = nn.GELU()
        elif sr_ratio > 1:
            self.sr = nn.Conv2d(
                embed_dims, embed_dims, sr_ratio, stride=sr_ratio)
        if self.reduce:
            self.norm = nn.LayerNorm(embed_dims)

    def forward(self, x: Tensor, hw: Sequence[int]) -> Tensor:
        """Tokens (N, h*w, C) of an ``hw`` map -> (N, h*w, C)."""
        n, length, c = x.shape
        kv_in = x
        if self.reduce:
            x_ = x.transpose(1, 2).reshape(n, c, *hw)
            if self.linear:
                x_ = self.pool(x_)
            kv_in = self.norm(self.sr(x_).flatten(2).transpose(1, 2))
            if self.linear:
                kv_in = self.act(kv_in)
        # (N, heads, L, C / heads)
        q = self.q(x).unflatten(2, (self.num_heads, -1)).transpose(1, 2)
        k, v = self.kv(kv_in).unflatten(2, (2, self.num_heads, -1)).permute(
            2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v)
        return self.proj(out.transpose(1, 2).reshape(n, length, c))


class DWConv(nn.Module):
    """Depth-wise 3x3 conv on tokens.

    Args:
        channels (int): Channels.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(
            channels, channels, 3, padding=1, groups=channels)

    def forward(self, x: Tensor, hw: Sequence[int]) -> Tensor:
        """Tokens (N, h*w, C) of an ``hw`` map -> (N, h*w, C)."""
        x = x.transpose(1, 2).unflatten(2, tuple(hw))
        return self.dwconv(x).flatten(2).transpose(1, 2)


class ConvMlp(nn.Module):
    """``fc1 -> [ReLU] -> depth-wise conv -> GELU -> fc2``.

    Args:
        embed_dims (int): Input and output channels.
        hidden_dims (int): Hidden channels.
        linear (bool): ReLU after ``fc1`` (PVT-v2-li). Defaults to False.
    """

    def __init__(self,
                 embed_dims: int,
                 hidden_dims: int,
                 linear: bool = False) -> None:
        super().__init__()
        self.fc1 = nn.Linear(embed_dims, hidden_dims)
        self.relu = nn.ReLU() if linear else nn.Identity()
        self.dwconv = DWConv(hidden_dims)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dims, embed_dims)

    def forward(self, x: Tensor, hw: Sequence[int]) -> Tensor:
        """Tokens (N, h*w, C) -> (N, h*w, C)."""
        x = self.dwconv(self.relu(self.fc1(x)), hw)
        return self.fc2(self.act(x))


class PVTv2Block(nn.Module):
    """Pre-norm transformer block: SRA attention and the conv MLP, each with
    a residual connection and stochastic depth.

    Args:
        embed_dims (int): Channels.
        num_heads (int): Attention heads.
        mlp_ratio (int): Hidden / input channels of the MLP.
        sr_ratio (int): Spatial reduction ratio of the attention.
        drop_path (float): Stochastic depth rate.
        linear (bool): PVT-v2-li attention and MLP.
    """

    def __init__(self, embed_dims: int, num_heads: int, mlp_ratio: int,
                 sr_ratio: int, drop_path: float, linear: bool) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(embed_dims, eps=_NORM_EPS)
        self.attn = SpatialReductionAttention(embed_dims, num_heads,
                                              sr_ratio, linear)
        self.drop_path = DropPath(drop_path) if drop_path else nn.Identity()
        self.norm2 = nn.LayerNorm(embed_dims, eps=_NORM_EPS)
        self.mlp = ConvMlp(embed_dims, int(embed_dims * mlp_ratio), linear)

    def forward(self, x: Tensor, hw: Sequence[int]) -> Tensor:
        """Tokens (N, h*w, C) -> (N, h*w, C)."""
        x = x + self.drop_path(self.attn(self.norm1(x), hw))
        return x + self.drop_path(self.mlp(self.norm2(x), hw))


@MODELS.register_module()
class PyramidVisionTransformerV2(BaseModule):
    """Pyramid Vision Transformer v2.

    `PVT v2: Improved Baselines with Pyramid Vision Transformer
    <https://arxiv.org/abs/2106.13797>`_. Four stages, each an overlapping
    patch embedding (7x7 stride 4, then 3x3 stride 2), transformer blocks
    with spatial-reduction attention and a depth-wise conv MLP, and a
    LayerNorm; the outputs are at strides 4, 8, 16, 32.

    Module names follow the official code (``patch_embed1.proj``,
    ``block1.0.attn.kv``, ``norm4`` ...), so the official ImageNet checkpoints
    (``pvt_v2_b*.pth``) load with ``init_cfg=dict(type='Pretrained',
    checkpoint=...)``: their classifier ``head.*`` is dropped, and any other
    missing or unexpected key raises. Without ``init_cfg`` the official
    initialisation is used (truncated normal std 0.02 for linear layers,
    N(0, sqrt(2 / fan_out)) for convs, zero biases).

    Args:
        arch (str): ``'b0'`` ... ``'b5'``. Defaults to ``'b5'``.
        embed_dims (Sequence[int], optional): Channels per stage; overrides
            the arch. Same for ``depths``, ``num_heads``, ``sr_ratios`` and
            ``mlp_ratios``.
        depths (Sequence[int], optional): Blocks per stage.
        num_heads (Sequence[int], optional): Attention heads per stage.
        sr_ratios (Sequence[int], optional): Spatial reduction per stage.
        mlp_ratios (Sequence[int], optional): MLP expansion per stage.
        in_channels (int): Input channels. Defaults to 3.
        out_indices (Sequence[int]): Stages to output. Defaults to
            (0, 1, 2, 3).
        drop_path_rate (float): Stochastic depth rate, increasing linearly
            over all blocks from 0. Defaults to 0.1 (as AVSBench).
        linear (bool): The PVT-v2-li variant (pooled keys and values).
            Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """
    arch_settings: Dict[str, Dict[str, Tuple[int, ...]]] = {
        'b0': dict(embed_dims=(32, 64, 160, 256), depths=(2, 2, 2, 2),
                   mlp_ratios=(8, 8, 4, 4)),
        'b1': dict(embed_dims=(64, 128, 320, 512), depths=(2, 2, 2, 2),
                   mlp_ratios=(8, 8, 4, 4)),
        'b2': dict(embed_dims=(64, 128, 320, 512), depths=(3, 4, 6, 3),
                   mlp_ratios=(8, 8, 4, 4)),
        'b3': dict(embed_dims=(64, 128, 320, 512), depths=(3, 4, 18, 3),
                   mlp_ratios=(8, 8, 4, 4)),
        'b4': dict(embed_dims=(64, 128, 320, 512), depths=(3, 8, 27, 3),
                   mlp_ratios=(8, 8, 4, 4)),
        'b5': dict(embed_dims=(64, 128, 320, 512), depths=(3, 6, 40, 3),
                   mlp_ratios=(4, 4, 4, 4)),
    }
    # shared by every arch
    default_num_heads = (1, 2, 5, 8)
    default_sr_ratios = (8, 4, 2, 1)

    def __init__(self,
                 arch: str = 'b5',
                 embed_dims: Optional[Sequence[int]] = None,
                 depths: Optional[Sequence[int]] = None,
                 num_heads: Optional[Sequence[int]] = None,
                 sr_ratios: Optional[Sequence[int]] = None,
                 mlp_ratios: Optional[Sequence[int]] = None,
                 in_channels: int = 3,
                 out_indices: Sequence[int] = (0, 1, 2, 3),
                 drop_path_rate: float = 0.1,
                 linear: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if arch not in self.arch_settings:
            raise ValueError(f'PyramidVisionTransformerV2: unknown arch '
                             f'{arch!r}, choose from '
                             f'{sorted(self.arch_settings)}')
        setting = self.arch_settings[arch]
        self.embed_dims = list(embed_dims or setting['embed_dims'])
        self.depths = list(depths or setting['depths'])
        self.num_heads = list(num_heads or self.default_num_heads)
        self.sr_ratios = list(sr_ratios or self.default_sr_ratios)
        self.mlp_ratios = list(mlp_ratios or setting['mlp_ratios'])
        num_stages = len(self.depths)
        per_stage = dict(
            embed_dims=self.embed_dims,
            num_heads=self.num_heads,
            sr_ratios=self.sr_ratios,
            mlp_ratios=self.mlp_ratios)
        for name, values in per_stage.items():
            if len(values) != num_stages:
                raise ValueError(f'{name} has {len(values)} entries for '
                                 f'{num_stages} stages')
        self.out_indices = tuple(out_indices)
        if any(i < 0 or i >= num_stages for i in self.out_indices):
            raise ValueError(f'out_indices {self.out_indices} out of range '
                             f'for {num_stages} stages')

        total = sum(self.depths)
        dpr = [drop_path_rate * j / max(total - 1, 1) for j in range(total)]
        prev_channels, cur = in_channels, 0
        for i, (dims, depth) in enumerate(zip(self.embed_dims, self.depths)):
            patch_size, stride = (7, 4) if i == 0 else (3, 2)
            self.add_module(
                f'patch_embed{i + 1}',
                OverlapPatchEmbed(prev_channels, dims, patch_size, stride))
            self.add_module(
                f'block{i + 1}',
                nn.ModuleList(
                    PVTv2Block(dims, self.num_heads[i], self.mlp_ratios[i],
                               self.sr_ratios[i], dpr[cur + j], linear)
                    for j in range(depth)))
            self.add_module(f'norm{i + 1}',
                            nn.LayerNorm(dims, eps=_NORM_EPS))
            prev_channels, cur = dims, cur + depth

    def forward(self, x: Tensor) -> Tuple[Tensor]:
        """Extract the pyramid.

        Args:
            x (Tensor): Images of shape (N, in_channels, H, W).

        Returns:
            tuple[Tensor]: For each stage i in ``out_indices``, features of
            shape (N, embed_dims[i], H / 2^(i+2), W / 2^(i+2)) (rounded up).
        """
        outs: List[Tensor] = []
        for i in range(len(self.depths)):
            x, hw = getattr(self, f'patch_embed{i + 1}')(x)
            for block in getattr(self, f'block{i + 1}'):
                x = block(x, hw)
            x = getattr(self, f'norm{i + 1}')(x)
            x = x.transpose(1, 2).unflatten(2, tuple(hw)).contiguous()
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def init_weights(self) -> None:
        """Official initialisation, or the ImageNet checkpoint of
        ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix=None)``."""
        if self.init_cfg is None:
            self.apply(_official_init)
        elif (isinstance(self.init_cfg, dict)
              and self.init_cfg.get('type') == 'Pretrained'):
            self.load_imagenet_checkpoint(self.init_cfg['checkpoint'],
                                          self.init_cfg.get('prefix'))
        else:
            super().init_weights()

    def load_imagenet_checkpoint(self,
                                 filename: str,
                                 prefix: Optional[str] = None) -> None:
        """Load an official PVT-v2 checkpoint, dropping its ``head.*``.

        Args:
            filename (str): Path or URL of the checkpoint: a state dict, or a
                dict holding one under ``'state_dict'`` or ``'model'``.
            prefix (str, optional): Take only the keys under this prefix
                (e.g. ``'backbone.'``), with the prefix removed.

        Raises:
            ValueError: When keys other than the head are missing or
                unexpected.
        """
        ckpt = CheckpointLoader.load_checkpoint(filename, map_location='cpu')
        state_dict = ckpt.get('state_dict', ckpt.get('model', ckpt))
        if prefix:
            state_dict = {
                k[len(prefix):]: v
                for k, v in state_dict.items() if k.startswith(prefix)
            }
        state_dict = {
            k: v
            for k, v in state_dict.items() if not k.startswith(_HEAD_PREFIX)
        }
        own = self.state_dict()
        missing = sorted(set(own) - set(state_dict))
        unexpected = sorted(set(state_dict) - set(own))
        if missing or unexpected:
            raise ValueError(
                f'{filename} does not fit PyramidVisionTransformerV2 '
                f'(depths {self.depths}, embed_dims {self.embed_dims}): '
                f'{_preview(missing)} missing, {_preview(unexpected)} '
                'unexpected')
        self.load_state_dict(state_dict)


def _preview(keys: List[str], limit: int = 5) -> str:
    """'3 keys [a, b, c]', listing at most ``limit`` keys."""
    more = ', ...' if len(keys) > limit else ''
    return f'{len(keys)} keys [{", ".join(keys[:limit])}{more}]'


def _official_init(m: nn.Module) -> None:
    """The weight initialisation of the official PVT-v2 code."""
    if isinstance(m, nn.Linear):
        nn.init.trunc_normal_(m.weight, std=.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Conv2d):
        fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
        nn.init.normal_(m.weight, 0, math.sqrt(2.0 / (fan_out // m.groups)))
        if m.bias is not None:
            nn.init.zeros_(m.bias)
