# Copyright (c) mmavs contributors. All rights reserved.
from typing import Optional, Tuple

import torch.nn as nn
from torch import Tensor


class TPAVIBlock(nn.Module):
    """Temporal pixel-wise audio-visual interaction for one feature level.

    Eq. (1) of `Audio-Visual Segmentation <https://arxiv.org/abs/2207.05042>`_:
    ``Z = V + mu(alpha g(V))`` with ``alpha = theta(V) phi(A_hat)^T / N``,
    ``N = T*H*W``, where ``A_hat`` is the audio projected to C channels and
    tiled over H and W; followed by LayerNorm over C as in the official code.
    With ``audio=None`` the keys are the video itself (the official ``vv``
    video self-attention).

    The attention has no softmax, so ``alpha g(V) = theta(V) (phi^T g) / N``:
    the (C', C') matrix ``phi^T g`` is formed first and the (THW, THW)
    attention is never built. Memory is linear in T*H*W; the result equals
    the quadratic form up to float rounding. For audio keys, ``phi`` is
    constant over H and W, so ``phi^T g`` only needs g summed over each frame.

    Parameter names match the official ``TPAVIModule`` (``align_channel``,
    ``theta``, ``phi``, ``g``, ``W_z``, ``norm_layer``).

    Args:
        channels (int): Visual channels C.
        audio_channels (int): Audio feature size. Defaults to 128.
        inter_channels (int, optional): Channels C' of theta, phi and g.
            Defaults to ``max(channels // 2, 1)``.
        audio_proj_bias (bool): Bias in the audio projection
            ``align_channel``. The released AVSBench-Semantics model has
            none. Defaults to True (AVSBench-Object).
    """

    def __init__(self,
                 channels: int,
                 audio_channels: int = 128,
                 inter_channels: Optional[int] = None,
                 audio_proj_bias: bool = True) -> None:
        super().__init__()
        self.channels = channels
        self.inter_channels = inter_channels or max(channels // 2, 1)
        self.align_channel = nn.Linear(
            audio_channels, channels, bias=audio_proj_bias)
        self.norm_layer = nn.LayerNorm(channels)
        self.g = nn.Conv3d(channels, self.inter_channels, 1)
        self.theta = nn.Conv3d(channels, self.inter_channels, 1)
        self.phi = nn.Conv3d(channels, self.inter_channels, 1)
        self.W_z = nn.Sequential(
            nn.Conv3d(self.inter_channels, channels, 1),
            nn.BatchNorm3d(channels))
        # zero-initialised BN: the block starts as the identity (+LayerNorm)
        nn.init.zeros_(self.W_z[1].weight)
        nn.init.zeros_(self.W_z[1].bias)

    def forward(self,
                x: Tensor,
                audio: Optional[Tensor] = None
                ) -> Tuple[Tensor, Optional[Tensor]]:
        """Fuse one level.

        Args:
            x (Tensor): Visual features of shape (B, C, T, H, W).
            audio (Tensor, optional): Audio features of shape (B, T, D), or
                None for video self-attention.

        Returns:
            tuple[Tensor, Tensor | None]: Fused features (B, C, T, H, W) and
            the projected audio (B, T, C) (None without audio).
        """
        b, c, t, h, w = x.shape
        if c != self.channels:
            raise ValueError(f'TPAVIBlock expects {self.channels} channels, '
                             f'got {c}')
        theta = self.theta(x).flatten(2)  # (B, C', THW)
        g = self.g(x).flatten(2)  # (B, C', THW)
        if audio is None:
            audio_proj = None
            phi = self.phi(x).flatten(2)  # (B, C', THW)
        else:
            if audio.shape[:2] != (b, t):
                raise ValueError(f'audio of shape {tuple(audio.shape)} does '
                                 f'not match video (B={b}, T={t})')
            audio_proj = self.align_channel(audio)  # (B, T, C)
            phi = self.phi(audio_proj.transpose(1, 2)[..., None, None])
            phi = phi.flatten(2)  # (B, C', T), constant over H, W
            g = g.unflatten(2, (t, h * w)).sum(3)  # (B, C', T)
        context = g @ phi.transpose(1, 2)  # (B, C', C') = sum_j g_j phi_j^T
        y = context @ theta / (t * h * w)  # (B, C', THW)
        z = self.W_z(y.view(b, self.inter_channels, t, h, w)) + x
        z = self.norm_layer(z.permute(0, 2, 3, 4, 1)).permute(0, 4, 1, 2, 3)
        return z, audio_proj

    def attention_map(self, x: Tensor, audio: Tensor) -> Tensor:
        """Attention of every position to the audio of its own frame.

        ``theta(V)_i . phi(A_hat)_t`` for position i of frame t: the
        audio-visual attention of Eq. (1) before the constant 1/N scale (the
        maps of Fig. 10 of the paper).

        Args:
            x (Tensor): Visual features of shape (B, C, T, H, W).
            audio (Tensor): Audio features of shape (B, T, D).

        Returns:
            Tensor: Maps of shape (B, T, H, W).
        """
        theta = self.theta(x)  # (B, C', T, H, W)
        audio_proj = self.align_channel(audio)  # (B, T, C)
        phi = self.phi(audio_proj.transpose(1, 2)[..., None, None])
        return (theta * phi).sum(1)
