# Copyright (c) mmavs contributors. All rights reserved.
from typing import Tuple

import torch.nn as nn
from torch import Tensor

ACTIVATIONS = ('sigmoid', 'softmax', 'minmax', 'channel')


class AVAttentionBlock(nn.Module):
    """One CAVP cross-attention layer f_CA on a single feature level.

    ``out = x + MHA(x, a, a)``: every visual position (query) attends to its
    frame's audio feature (key and value), with scores scaled by
    ``1 / sqrt(d)`` (``d`` the channels per head, as in the Transformer and
    the official CAVP code). With a single audio key a softmax over keys is
    constant, so the score activation works per position (``sigmoid``, the
    paper's choice) or over the positions of the frame (``softmax`` and
    ``minmax``, Fig. 11 of the CAVP paper). ``channel`` is the channel
    attention of AVSegFormer's cross-modal mixer: the audio queries the
    visual positions (softmax over positions), the attended visual vector is
    projected to a sigmoid gate over channels and ``out = x + x * gate``.

    Args:
        channels (int): Visual channels C.
        audio_channels (int): Audio feature size A.
        embed_dims (int): Attention width E. Defaults to 256.
        num_heads (int): Attention heads; must divide ``embed_dims``.
            Defaults to 4.
        activation (str): One of ``'sigmoid'``, ``'softmax'``, ``'minmax'``,
            ``'channel'``. Defaults to ``'sigmoid'``.
        qkv_bias (bool): Bias in the query/key/value projections. Defaults
            to False.
        eps (float): Guards the min-max range. Defaults to 1e-6.
    """

    def __init__(self,
                 channels: int,
                 audio_channels: int,
                 embed_dims: int = 256,
                 num_heads: int = 4,
                 activation: str = 'sigmoid',
                 qkv_bias: bool = False,
                 eps: float = 1e-6) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f'AVAttentionBlock activation must be one of '
                             f'{ACTIVATIONS}, got {activation!r}')
        if embed_dims % num_heads:
            raise ValueError(f'embed_dims={embed_dims} is not a multiple of '
                             f'num_heads={num_heads}')
        self.activation = activation
        self.num_heads = num_heads
        self.scale = (embed_dims // num_heads)**-0.5
        self.eps = eps
        query_in, key_in = channels, audio_channels
        if activation == 'channel':
            query_in, key_in = audio_channels, channels
        self.query = nn.Linear(query_in, embed_dims, bias=qkv_bias)
        self.key = nn.Linear(key_in, embed_dims, bias=qkv_bias)
        self.value = nn.Linear(key_in, embed_dims, bias=qkv_bias)
        self.proj = nn.Linear(embed_dims, channels)

    def forward(self, x: Tensor, audio: Tensor) -> Tuple[Tensor, Tensor]:
        """Fuse one level.

        Args:
            x (Tensor): Visual features of shape (N, C, H, W).
            audio (Tensor): The audio feature of each frame, shape (N, A).

        Returns:
            tuple[Tensor, Tensor]: Fused features (N, C, H, W) and the
            attention map (N, H, W) (mean over heads).
        """
        n, c, h, w = x.shape
        visual = x.flatten(2).transpose(1, 2)  # (N, HW, C)
        audio = audio[:, None]  # (N, 1, A)
        if self.activation == 'channel':
            return self._channel(x, visual, audio)
        q = self._split(self.query(visual))  # (N, heads, HW, d)
        k = self._split(self.key(audio))  # (N, heads, 1, d)
        v = self._split(self.value(audio))
        scores = q @ k.transpose(-2, -1) * self.scale  # (N, heads, HW, 1)
        attn = self._activate(scores)
        out = (attn @ v).transpose(1, 2).flatten(2)  # (N, HW, E)
        out = self.proj(out).transpose(1, 2).view(n, c, h, w)
        return x + out, attn.mean(1).view(n, h, w)

    def _channel(self, x: Tensor, visual: Tensor,
                 audio: Tensor) -> Tuple[Tensor, Tensor]:
        """AVSegFormer-style channel attention; see the class doc."""
        n, c, h, w = x.shape
        q = self._split(self.query(audio))  # (N, heads, 1, d)
        k = self._split(self.key(visual))  # (N, heads, HW, d)
        v = self._split(self.value(visual))
        attn = (q @ k.transpose(-2, -1) * self.scale).softmax(-1)
        out = (attn @ v).transpose(1, 2).flatten(2)  # (N, 1, E)
        gate = self.proj(out).sigmoid().view(n, c, 1, 1)
        return x + x * gate, attn.mean(1).view(n, h, w)

    def _activate(self, scores: Tensor) -> Tensor:
        """Scores (N, heads, HW, 1) to attention weights of that shape."""
        if self.activation == 'sigmoid':
            return scores.sigmoid()
        if self.activation == 'softmax':
            return scores.softmax(-2)
        low = scores.amin(-2, keepdim=True)
        high = scores.amax(-2, keepdim=True)
        return (scores - low) / (high - low).clamp_min(self.eps)

    def _split(self, x: Tensor) -> Tensor:
        """(N, L, E) -> (N, heads, L, E / heads)."""
        return x.unflatten(-1, (self.num_heads, -1)).transpose(1, 2)
