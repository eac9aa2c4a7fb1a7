# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, Tuple, Union

import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS
from ..layers import TokenMlp
from .cavp_attention_block import CAVPAttentionBlock


@MODELS.register_module()
class CAVPFusion(BaseModule):
    """The audio-visual fusion of the released CAVP, on one feature map.

    ``forward_fusion`` of ``models/cavp_model.py`` in `cyh-0/CAVP
    <https://github.com/cyh-0/CAVP>`_ (the f_CA of `Unraveling Instance
    Associations <https://arxiv.org/abs/2304.02970>`_ as released): the
    visual positions go through ``projector`` (a per-position MLP
    ``in_channels -> projector_channels -> in_channels``), then the
    ``CROSS_ATTENTION`` module: linear embeddings of the visual positions
    (``patch_embed_v``) and of the frame's audio feature, one token
    (``patch_embed_a``), ``depth`` :class:`CAVPAttentionBlock` and a final
    LayerNorm of the visual tokens (``norm``), reshaped back to a map. Each
    frame attends to its own audio only. The official module also holds
    positional embeddings that its forward never uses; mmavs has none
    (the converter drops them).

    Used between a head's feature and its classifier
    (:class:`AudioFusionHead`).

    Args:
        in_channels (int): Channels of the visual feature (304).
        audio_channels (int): Audio feature size (304). Defaults to
            ``in_channels``.
        embed_dims (int): Token width (304, also the output channels).
            Defaults to ``in_channels``.
        projector_channels (int): Hidden width of ``projector``.
            Defaults to 256.
        depth (int): Attention blocks. Defaults to 1.
        num_heads (int): Heads. Defaults to 4.
        mlp_ratio (float): MLP ratio of the blocks. Defaults to 4.
        qkv_bias (bool): Bias of q, k, v. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 audio_channels: int = None,
                 embed_dims: int = None,
                 projector_channels: int = 256,
                 depth: int = 1,
                 num_heads: int = 4,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        audio_channels = audio_channels or in_channels
        embed_dims = embed_dims or in_channels
        self.in_channels = in_channels
        self.audio_channels = audio_channels
        self.out_channels = embed_dims
        self.projector = TokenMlp(in_channels, projector_channels)
        self.patch_embed_v = nn.Linear(in_channels, embed_dims)
        self.patch_embed_a = nn.Linear(audio_channels, embed_dims)
        self.blocks = nn.ModuleList(
            CAVPAttentionBlock(embed_dims, num_heads, mlp_ratio, qkv_bias)
            for _ in range(depth))
        self.norm = nn.LayerNorm(embed_dims)

    def forward(self,
                feat: Tensor,
                audio: Tensor,
                num_frames: int,
                return_aux: bool = False
                ) -> Union[Tensor, Tuple[Tensor, Dict[str, Tensor]]]:
        """Fuse each frame's audio into its feature map.

        Args:
            feat (Tensor): Visual feature (B*T, in_channels, h, w).
            audio (Tensor): Audio features (B*T, audio_channels).
            num_frames (int): T (frames are independent; checked only).
            return_aux (bool): Also return ``dict(attn={0: (B*T, h, w)})``,
                the last block's sigmoid attention on the audio token,
                averaged over heads (the map :class:`FusionAuxRecorder`
                reads). Defaults to False.

        Returns:
            Tensor | tuple: The fused feature (B*T, embed_dims, h, w)
            (and the aux dict).
        """
        n, c, h, w = feat.shape
        if c != self.in_channels or audio.shape != (n, self.audio_channels):
            raise ValueError(
                f'CAVPFusion expects a feature (N, {self.in_channels}, h, w) '
                f'and audio (N, {self.audio_channels}), got '
                f'{tuple(feat.shape)} and {tuple(audio.shape)}')
        if n % num_frames:
            raise ValueError(f'{n} frames are not clips of {num_frames}')
        visual = self.patch_embed_v(self.projector(feat.flatten(2).mT))
        audio = self.patch_embed_a(audio[:, None])
        for i, block in enumerate(self.blocks):
            visual, audio, attn = block(
                visual, audio, update_audio=i < len(self.blocks) - 1)
        fused = self.norm(visual).mT.reshape(n, self.out_channels, h, w)
        if not return_aux:
            return fused
        return fused, dict(attn={0: attn.mean(1)[..., 0].reshape(n, h, w)})
