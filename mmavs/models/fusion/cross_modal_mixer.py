# Copyright (c) mmavs contributors. All rights reserved.
import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS


@MODELS.register_module()
class CrossModalMixer(BaseModule):
    """AVSegFormer's audio-visual mixer: a channel gate from the audio.

    `AVSegFormer: Audio-Visual Segmentation with Transformer
    <https://arxiv.org/abs/2307.01146>`_ (Sec. 3.4): the audio token is the
    single query of a multi-head attention over every pixel of the feature
    map (keys and values from one ``kv_proj``), the result is projected and
    passed through a sigmoid, and that per-channel gate multiplies the map:
    ``out = x * sigmoid(proj(MHA(q(a), k(x), v(x))))``. A fusion module any
    head can use between its feature and its classifier. Module names
    follow the release (``q_proj``, ``kv_proj``, ``proj``).

    Args:
        embed_dims (int): Channels C of the map and the audio. Defaults to
            256.
        num_heads (int): Attention heads. Defaults to 8.
        qkv_bias (bool): Bias in ``q_proj`` and ``kv_proj``. Defaults to
            False.
        dropout (float): Dropout on the attention and the projection.
            Defaults to 0.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 qkv_bias: bool = False,
                 dropout: float = 0.,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if embed_dims % num_heads:
            raise ValueError(f'CrossModalMixer: embed_dims {embed_dims} is '
                             f'not divisible by num_heads {num_heads}')
        self.embed_dims = embed_dims
        self.num_heads = num_heads
        self.scale = (embed_dims // num_heads)**-0.5
        self.q_proj = nn.Linear(embed_dims, embed_dims, bias=qkv_bias)
        self.kv_proj = nn.Linear(embed_dims, embed_dims * 2, bias=qkv_bias)
        self.attn_drop = nn.Dropout(dropout)
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.proj_drop = nn.Dropout(dropout)

    def channel_gate(self, x: Tensor, audio: Tensor) -> Tensor:
        """The gate in (0, 1) of shape (N, C) for (N, C, H, W) maps and
        (N, 1, C) audio tokens."""
        n, c = x.shape[:2]
        d = c // self.num_heads
        # (N, 1, C) -> (N, heads, 1, d)
        q = self.q_proj(audio).reshape(n, 1, self.num_heads, d).transpose(1, 2)
        # (N, HW, 2C) -> 2 x (N, heads, HW, d)
        k, v = self.kv_proj(x.flatten(2).transpose(1, 2)).reshape(
            n, -1, 2, self.num_heads, d).permute(2, 0, 3, 1, 4)
        attn = self.attn_drop(((q @ k.transpose(-2, -1)) *
                               self.scale).softmax(-1))
        out = (attn @ v).transpose(1, 2).reshape(n, c)
        return self.proj_drop(self.proj(out)).sigmoid()

    def forward(self, x: Tensor, audio: Tensor) -> Tensor:
        """Gate the channels of ``x`` by the audio.

        Args:
            x (Tensor): Feature map of shape (N, C, H, W).
            audio (Tensor): One audio token per map, shape (N, 1, C).

        Returns:
            Tensor: The gated map, shape (N, C, H, W).
        """
        n, c = x.shape[:2]
        if c != self.embed_dims or tuple(audio.shape) != (n, 1, c):
            raise ValueError(f'CrossModalMixer expects maps (N, '
                             f'{self.embed_dims}, H, W) and audio (N, 1, '
                             f'{self.embed_dims}), got {tuple(x.shape)} and '
                             f'{tuple(audio.shape)}')
        return x * self.channel_gate(x, audio)[:, :, None, None]
