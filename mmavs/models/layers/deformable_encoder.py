# Copyright (c) mmavs contributors. All rights reserved.
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.ops import MultiScaleDeformableAttention
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS
from mmavs.utils import mmcv_cuda_ops_available
from .weight_init import xavier_init_matrices

CUDA_OPS_MISSING = (
    'multi-scale deformable attention got CUDA tensors, but this mmcv was '
    'built without its CUDA ops (mmcv.ops.get_compiling_cuda_version() is '
    "'not available'), so the op would fail. Rebuild mmcv with them: run "
    'tools/setup_env.sh on this machine (with nvcc on PATH and a GPU '
    'visible it builds mmcv with FORCE_CUDA=1), or run the model on CPU.')


def check_deformable_attention_device(x: Tensor) -> None:
    """Raise a clear error where mmcv's deformable attention would fail:
    CUDA tensors with an mmcv built without CUDA ops."""
    if x.is_cuda and not mmcv_cuda_ops_available():
        raise RuntimeError(CUDA_OPS_MISSING)


class DeformableEncoderLayer(nn.Module):
    """Multi-scale deformable self-attention and a GELU FFN, each with
    dropout, a residual add and a LayerNorm (post-norm).

    Args:
        embed_dims (int): Token width C.
        num_heads (int): Attention heads.
        num_levels (int): Feature levels.
        num_points (int): Sampling points per head and level.
        ffn_channels (int): FFN hidden width.
        dropout (float): Dropout on the attention and FFN branches and
            inside the FFN.
    """

    def __init__(self, embed_dims: int, num_heads: int, num_levels: int,
                 num_points: int, ffn_channels: int, dropout: float) -> None:
        super().__init__()
        # mmcv adds the (dropped-out) attention to the identity itself
        self.self_attn = MultiScaleDeformableAttention(
            embed_dims,
            num_heads,
            num_levels,
            num_points,
            dropout=dropout,
            batch_first=True)
        self.norm1 = nn.LayerNorm(embed_dims)
        self.linear1 = nn.Linear(embed_dims, ffn_channels)
        self.activation = nn.GELU()
        self.linear2 = nn.Linear(ffn_channels, embed_dims)
        self.dropout_ffn = nn.Dropout(dropout)
        self.dropout_out = nn.Dropout(dropout)
        self.norm2 = nn.LayerNorm(embed_dims)

    def forward(self, x: Tensor, pos: Tensor, reference_points: Tensor,
                spatial_shapes: Tensor, level_start_index: Tensor) -> Tensor:
        """(N, S, C) tokens -> (N, S, C); see
        :meth:`DeformableTransformerEncoder.forward`."""
        x = self.norm1(
            self.self_attn(
                x,
                query_pos=pos,
                reference_points=reference_points,
                spatial_shapes=spatial_shapes,
                level_start_index=level_start_index))
        ffn = self.linear2(self.dropout_ffn(self.activation(self.linear1(x))))
        return self.norm2(x + self.dropout_out(ffn))


@MODELS.register_module()
class DeformableTransformerEncoder(BaseModule):
    """Deformable-DETR encoder over flattened multi-scale features.

    `Deformable DETR <https://arxiv.org/abs/2010.04159>`_, as AVSegFormer's
    encoder: every token of every level attends to ``num_points`` sampled
    points per head and level around its own position (mmcv's
    :class:`MultiScaleDeformableAttention`: its CUDA kernel on GPU, the
    PyTorch reference on CPU), then a GELU FFN; post-norm, no padding.
    Module names follow the release (``layers.i.self_attn.sampling_offsets``
    ...).

    Args:
        num_layers (int): Layers. Defaults to 6.
        embed_dims (int): Token width C. Defaults to 256.
        num_heads (int): Attention heads. Defaults to 8.
        num_levels (int): Feature levels. Defaults to 3.
        num_points (int): Sampling points per head and level. Defaults to 4.
        ffn_channels (int): FFN hidden width. Defaults to 2048.
        dropout (float): Dropout. Defaults to 0.1.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 num_layers: int = 6,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 num_levels: int = 3,
                 num_points: int = 4,
                 ffn_channels: int = 2048,
                 dropout: float = 0.1,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_levels = num_levels
        self.layers = nn.ModuleList(
            DeformableEncoderLayer(embed_dims, num_heads, num_levels,
                                   num_points, ffn_channels, dropout)
            for _ in range(num_layers))

    def init_weights(self) -> None:
        """Xavier-uniform weight matrices, then Deformable-DETR's own
        initialisation of the attention (the release's order), unless
        ``init_cfg`` says otherwise."""
        if self.init_cfg is not None:
            return super().init_weights()
        xavier_init_matrices(self)
        for m in self.modules():
            if isinstance(m, MultiScaleDeformableAttention):
                m.init_weights()

    @staticmethod
    def reference_points(spatial_shapes: Sequence[Tuple[int, int]],
                         device: torch.device) -> Tensor:
        """Normalised pixel centres of every level.

        Returns:
            Tensor: (1, S, 1, 2) points (x, y) in (0, 1), S = sum of H_l W_l.
        """
        points: List[Tensor] = []
        for h, w in spatial_shapes:
            ys = (torch.arange(h, dtype=torch.float32, device=device) +
                  0.5) / h
            xs = (torch.arange(w, dtype=torch.float32, device=device) +
                  0.5) / w
            grid = torch.stack(torch.meshgrid(xs, ys, indexing='xy'), -1)
            points.append(grid.reshape(-1, 2))
        return torch.cat(points)[None, :, None]

    def forward(self, x: Tensor, pos: Tensor,
                spatial_shapes: Sequence[Tuple[int, int]]) -> Tensor:
        """Encode.

        Args:
            x (Tensor): Tokens of shape (N, S, C): the levels flattened
                (row-major) and concatenated.
            pos (Tensor): Position (and level) embedding, broadcastable to
                (N, S, C).
            spatial_shapes (Sequence[tuple[int, int]]): (H_l, W_l) of the
                ``num_levels`` levels.

        Returns:
            Tensor: Memory of shape (N, S, C).
        """
        if len(spatial_shapes) != self.num_levels:
            raise ValueError(f'DeformableTransformerEncoder has '
                             f'{self.num_levels} levels, got '
                             f'{len(spatial_shapes)}')
        check_deformable_attention_device(x)
        shapes = torch.as_tensor(
            spatial_shapes, dtype=torch.long, device=x.device)
        level_start_index = torch.cat(
            (shapes.new_zeros(1), shapes.prod(1).cumsum(0)[:-1]))
        # one point per level: all levels are unpadded (valid ratio 1)
        reference_points = self.reference_points(
            spatial_shapes, x.device).expand(x.shape[0], -1,
                                             self.num_levels, -1)
        pos = pos.expand_as(x)
        for layer in self.layers:
            x = layer(x, pos, reference_points, shapes, level_start_index)
        return x
