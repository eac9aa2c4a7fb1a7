# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, List, Sequence, Tuple, Union

import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS
from .av_attention_block import AVAttentionBlock
from .utils import check_fusion_inputs, parse_stages


@MODELS.register_module()
class AVCrossAttention(BaseModule):
    """CAVP cross-attention fusion f_CA on chosen feature levels.

    The fusion of `Unraveling Instance Associations: A Closer Look for
    Audio-Visual Segmentation <https://arxiv.org/abs/2304.02970>`_ (Sec. 4.1):
    ``u_v + MHA(u_v, u_a, u_a)`` with the visual features as queries and
    the audio as keys and values (see :class:`AVAttentionBlock`). CAVP works
    per image, so each frame attends to its own audio feature only; frames
    of a clip are independent and ``num_frames`` is only checked. Levels not
    listed in ``stages`` pass through unchanged.

    Args:
        in_channels (int | Sequence[int]): Channels of every level, or of
            each level. Defaults to 2048 (dilated ResNet-50, last stage).
        stages (Sequence[int]): 0-based levels to fuse. Defaults to (3,),
            the input of the DeepLabV3+ ASPP.
        audio_channels (int): Audio feature size. Defaults to 128 (VGGish).
        embed_dims (int): Attention width. Defaults to 256.
        num_heads (int): Attention heads. Defaults to 4 (official code).
        activation (str): ``'sigmoid'`` (paper), ``'softmax'``, ``'minmax'``
            or ``'channel'`` (Fig. 6 of the paper). Defaults to
            ``'sigmoid'``.
        qkv_bias (bool): Bias in the query/key/value projections. Defaults
            to False.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Union[int, Sequence[int]] = 2048,
                 stages: Sequence[int] = (3, ),
                 audio_channels: int = 128,
                 embed_dims: int = 256,
                 num_heads: int = 4,
                 activation: str = 'sigmoid',
                 qkv_bias: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.stages, self.in_channels = parse_stages(
            'AVCrossAttention', in_channels, stages)
        self.activation = activation
        self.blocks = nn.ModuleList(
            AVAttentionBlock(self.in_channels[s], audio_channels, embed_dims,
                             num_heads, activation, qkv_bias)
            for s in self.stages)

    def forward(self,
                feats: Sequence[Tensor],
                audio: Tensor,
                num_frames: int,
                return_aux: bool = False
                ) -> Union[Tuple[Tensor], Tuple[Tuple[Tensor], dict]]:
        """Fuse the chosen levels.

        Args:
            feats (Sequence[Tensor]): Level i of shape (B*T, C_i, H_i, W_i).
            audio (Tensor): Audio features of shape (B*T, D).
            num_frames (int): Frames per clip T.
            return_aux (bool): Also return ``aux['attn'][stage]``, the
                attention map of each fused stage, shape (B*T, H_s, W_s).

        Returns:
            tuple[Tensor] | tuple[tuple[Tensor], dict]: Levels of the input
            shapes, and the aux dict when ``return_aux``.
        """
        check_fusion_inputs('AVCrossAttention', feats, audio, num_frames)
        feats: List[Tensor] = list(feats)
        attn: Dict[int, Tensor] = {}
        for stage, block in zip(self.stages, self.blocks):
            feats[stage], attn[stage] = block(feats[stage], audio)
        if not return_aux:
            return tuple(feats)
        return tuple(feats), dict(attn=attn)
