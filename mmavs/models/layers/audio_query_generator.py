# Copyright (c) mmavs contributors. All rights reserved.
import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS
from .weight_init import xavier_init_matrices


class AudioQueryLayer(nn.Module):
    """Self-attention among the queries, cross-attention to the audio, FFN;
    each followed by a residual add and a LayerNorm (post-norm).

    Args:
        embed_dims (int): Query width C.
        num_heads (int): Attention heads.
        ffn_channels (int): FFN hidden width (GELU).
        bias (bool): Bias in the attention projections.
    """

    def __init__(self, embed_dims: int, num_heads: int, ffn_channels: int,
                 bias: bool) -> None:
        super().__init__()
        self.self_attn = nn.MultiheadAttention(
            embed_dims, num_heads, bias=bias, batch_first=True)
        self.cross_attn = nn.MultiheadAttention(
            embed_dims, num_heads, bias=bias, batch_first=True)
        self.ffn = nn.Sequential(
            nn.Linear(embed_dims, ffn_channels), nn.GELU(),
            nn.Linear(ffn_channels, embed_dims))
        self.norm1 = nn.LayerNorm(embed_dims)
        self.norm2 = nn.LayerNorm(embed_dims)
        self.norm3 = nn.LayerNorm(embed_dims)

    def forward(self, query: Tensor, audio: Tensor) -> Tensor:
        """(N, Q, C) queries, (N, L, C) audio tokens -> (N, Q, C)."""
        query = self.norm1(query + self.self_attn(query, query, query)[0])
        query = self.norm2(query + self.cross_attn(query, audio, audio)[0])
        return self.norm3(query + self.ffn(query))


@MODELS.register_module()
class AudioQueryGenerator(BaseModule):
    """Audio-conditioned object queries (AVSegFormer's query generator).

    `AVSegFormer: Audio-Visual Segmentation with Transformer
    <https://arxiv.org/abs/2307.01146>`_ (Sec. 3.2): ``num_queries``
    learnable queries go through ``num_layers`` layers of self-attention,
    cross-attention to the audio tokens and a GELU FFN (post-norm, see
    :class:`AudioQueryLayer`). Usable as the queries of any query-based
    head: each query comes out conditioned on the frame's sound.

    Module names follow the released ``AttentionGenerator`` (``query``,
    ``layers.i.self_attn`` ...), and as there the attention projections have
    no bias and every weight matrix is Xavier-uniform initialised.

    Args:
        num_queries (int): Number of queries Q. Defaults to 300.
        embed_dims (int): Query and audio width C. Defaults to 256.
        num_layers (int): Layers. Defaults to 6.
        num_heads (int): Attention heads. Defaults to 8.
        ffn_channels (int): FFN hidden width. Defaults to 1024.
        bias (bool): Bias in the attention projections. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 num_queries: int = 300,
                 embed_dims: int = 256,
                 num_layers: int = 6,
                 num_heads: int = 8,
                 ffn_channels: int = 1024,
                 bias: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_queries = num_queries
        self.embed_dims = embed_dims
        self.query = nn.Embedding(num_queries, embed_dims)
        self.layers = nn.ModuleList(
            AudioQueryLayer(embed_dims, num_heads, ffn_channels, bias)
            for _ in range(num_layers))

    def init_weights(self) -> None:
        """Xavier-uniform weight matrices (the release's initialisation)
        unless ``init_cfg`` says otherwise."""
        if self.init_cfg is not None:
            return super().init_weights()
        xavier_init_matrices(self)

    def forward(self, audio: Tensor) -> Tensor:
        """Generate the queries.

        Args:
            audio (Tensor): Audio tokens of shape (N, L, C), e.g. L = 1
                projected VGGish feature per frame.

        Returns:
            Tensor: Queries of shape (N, Q, C).
        """
        if audio.dim() != 3 or audio.shape[-1] != self.embed_dims:
            raise ValueError('AudioQueryGenerator expects audio of shape '
                             f'(N, L, {self.embed_dims}), got '
                             f'{tuple(audio.shape)}')
        query = self.query.weight[None].expand(audio.shape[0], -1, -1)
        for layer in self.layers:
            query = layer(query, audio)
        return query
