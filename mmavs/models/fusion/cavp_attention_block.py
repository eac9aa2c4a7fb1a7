# Copyright (c) mmavs contributors. All rights reserved.
from typing import Tuple

import torch
import torch.nn as nn
from torch import Tensor

from ..layers import TokenMlp


class CAVPAttentionBlock(nn.Module):
    """One cross-attention block of the released CAVP (``Block`` of
    ``models/attn.py`` in `cyh-0/CAVP <https://github.com/cyh-0/CAVP>`_,
    mode ``"CA"``).

    Both token sets are normalised by the same ``norm1``; the visual tokens
    attend to the audio tokens, then the audio tokens to the updated
    visual ones, with the same attention and MLP::

        v, a = norm1(v), norm1(a)
        v = v + attn(v, a, a);  v = v + mlp(norm2(v))
        a = a + attn(a, v, v);  a = a + mlp(norm2(a))

    The attention has ``num_heads`` heads, q/k/v projections without bias,
    scale ``head_dim ** -0.5`` and a SIGMOID (not a softmax) of the scores,
    then an output projection ``proj``.

    Args:
        embed_dims (int): Token width.
        num_heads (int): Heads. Defaults to 4.
        mlp_ratio (float): MLP hidden width / ``embed_dims``. Defaults to 4.
        qkv_bias (bool): Bias of q, k, v. Defaults to False.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int = 4,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = False) -> None:
        super().__init__()
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims {embed_dims} is not a multiple of '
                             f'num_heads {num_heads}')
        self.num_heads = num_heads
        self.scale = (embed_dims // num_heads)**-0.5
        self.norm1 = nn.LayerNorm(embed_dims)
        self.q = nn.Linear(embed_dims, embed_dims, bias=qkv_bias)
        self.k = nn.Linear(embed_dims, embed_dims, bias=qkv_bias)
        self.v = nn.Linear(embed_dims, embed_dims, bias=qkv_bias)
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.norm2 = nn.LayerNorm(embed_dims)
        self.mlp = TokenMlp(embed_dims, int(embed_dims * mlp_ratio))

    def attend(self, query: Tensor, key: Tensor) -> Tuple[Tensor, Tensor]:
        """Sigmoid attention of ``query`` (N, Q, C) on ``key`` (N, K, C)
        (keys are values too): the output (N, Q, C) and the attention
        (N, heads, Q, K)."""
        n, q_len, c = query.shape

        def heads(x: Tensor) -> Tensor:
            return x.reshape(n, x.shape[1], self.num_heads,
                             c // self.num_heads).transpose(1, 2)

        attn = torch.sigmoid(
            heads(self.q(query)) @ heads(self.k(key)).transpose(-2, -1) *
            self.scale)
        out = (attn @ heads(self.v(key))).transpose(1, 2).reshape(n, q_len, c)
        return self.proj(out), attn

    def step(self, query: Tensor, key: Tensor) -> Tuple[Tensor, Tensor]:
        """Attention and MLP, each with its residual."""
        out, attn = self.attend(query, key)
        query = query + out
        return query + self.mlp(self.norm2(query)), attn

    def forward(self, visual: Tensor, audio: Tensor,
                update_audio: bool = True) -> Tuple[Tensor, Tensor, Tensor]:
        """Cross-attend.

        Args:
            visual (Tensor): Visual tokens (N, h*w, C).
            audio (Tensor): Audio tokens (N, L, C).
            update_audio (bool): Compute the audio update (the last block's
                is unused by CAVP's output). Defaults to True.

        Returns:
            tuple[Tensor]: Visual (N, h*w, C) and audio (N, L, C) tokens and
            the visual-to-audio attention (N, heads, h*w, L).
        """
        visual, audio = self.norm1(visual), self.norm1(audio)
        visual, attn = self.step(visual, audio)
        if update_audio:
            audio = self.step(audio, visual)[0]
        return visual, audio, attn
