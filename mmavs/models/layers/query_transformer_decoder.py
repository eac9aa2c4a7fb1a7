# Copyright (c) mmavs contributors. All rights reserved.
import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS
from .weight_init import xavier_init_matrices


class QueryDecoderLayer(nn.Module):
    """Self-attention among the queries, cross-attention to the memory and a
    GELU FFN, each with dropout, a residual add and a LayerNorm (post-norm).

    Args:
        embed_dims (int): Width C.
        num_heads (int): Attention heads.
        ffn_channels (int): FFN hidden width.
        dropout (float): Dropout in the attentions, on the three branches and
            inside the FFN.
    """

    def __init__(self, embed_dims: int, num_heads: int, ffn_channels: int,
                 dropout: float) -> None:
        super().__init__()
        self.self_attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.dropout1 = nn.Dropout(dropout)
        self.norm1 = nn.LayerNorm(embed_dims)
        self.cross_attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.dropout2 = nn.Dropout(dropout)
        self.norm2 = nn.LayerNorm(embed_dims)
        self.linear1 = nn.Linear(embed_dims, ffn_channels)
        self.activation = nn.GELU()
        self.dropout3 = nn.Dropout(dropout)
        self.linear2 = nn.Linear(ffn_channels, embed_dims)
        self.dropout4 = nn.Dropout(dropout)
        self.norm3 = nn.LayerNorm(embed_dims)

    def forward(self, query: Tensor, memory: Tensor) -> Tensor:
        """(N, Q, C) queries, (N, S, C) memory -> (N, Q, C)."""
        out = self.self_attn(query, query, query, need_weights=False)[0]
        query = self.norm1(query + self.dropout1(out))
        out = self.cross_attn(query, memory, memory, need_weights=False)[0]
        query = self.norm2(query + self.dropout2(out))
        out = self.linear2(self.dropout3(self.activation(
            self.linear1(query))))
        return self.norm3(query + self.dropout4(out))


@MODELS.register_module()
class QueryTransformerDecoder(BaseModule):
    """Transformer decoder of object queries over a flattened memory.

    AVSegFormer's decoder: ordinary multi-head self- and cross-attention
    (no positional encoding on either side, the memory attended as a whole),
    post-norm; only the last layer's output is used. Module names follow
    the release (``layers.i.self_attn.in_proj_weight`` ...).

    Args:
        num_layers (int): Layers. Defaults to 6.
        embed_dims (int): Width C. Defaults to 256.
        num_heads (int): Attention heads. Defaults to 8.
        ffn_channels (int): FFN hidden width. Defaults to 2048.
        dropout (float): Dropout. Defaults to 0.1.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 num_layers: int = 6,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 ffn_channels: int = 2048,
                 dropout: float = 0.1,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.layers = nn.ModuleList(
            QueryDecoderLayer(embed_dims, num_heads, ffn_channels, dropout)
            for _ in range(num_layers))

    def init_weights(self) -> None:
        """Xavier-uniform weight matrices (the release's initialisation)
        unless ``init_cfg`` says otherwise."""
        if self.init_cfg is not None:
            return super().init_weights()
        xavier_init_matrices(self)

    def forward(self, query: Tensor, memory: Tensor) -> Tensor:
        """Decode.

        Args:
            query (Tensor): Queries of shape (N, Q, C).
            memory (Tensor): Encoder memory of shape (N, S, C).

        Returns:
            Tensor: The last layer's queries, shape (N, Q, C).
        """
        for layer in self.layers:
            query = layer(query, memory)
        return query
