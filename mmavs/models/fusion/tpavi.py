# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS
from .tpavi_block import TPAVIBlock
from .utils import check_fusion_inputs, parse_stages, to_clips, to_frames


@MODELS.register_module()
class TPAVI(BaseModule):
    """TPAVI audio-visual fusion on chosen feature levels.

    The fusion of `Audio-Visual Segmentation
    <https://arxiv.org/abs/2207.05042>`_: one :class:`TPAVIBlock` per chosen
    level attends every visual position of all T frames of a clip to the T
    audio features. Levels not listed pass through unchanged. With both
    ``audio_attention`` and ``video_attention`` the two outputs of the shared
    block are averaged, as in the official code.

    Args:
        in_channels (int | Sequence[int]): Channels of every level, or of each
            level. Defaults to 256.
        stages (Sequence[int]): 0-based levels to fuse. Defaults to
            (0, 1, 2, 3).
        audio_channels (int): Audio feature size. Defaults to 128.
        inter_channels (int, optional): Inner channels of each block.
            Defaults to half its visual channels.
        audio_attention (bool): Attend to the audio (the TPAVI of the paper).
            Defaults to True.
        video_attention (bool): Attend to the video itself (official
            ``tpavi_vv_flag``). Defaults to False.
        audio_proj_bias (bool): Bias in each block's audio projection
            (False in the released AVSBench-Semantics model).
            Defaults to True.
        temporal_window (int, optional): Attend within consecutive windows
            of this many frames of a clip instead of the whole clip (the
            released AVSBench-Semantics model splits its 10-frame clips into
            two windows of 5). T must be a multiple of it. Defaults to None
            (whole clip).
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Union[int, Sequence[int]] = 256,
                 stages: Sequence[int] = (0, 1, 2, 3),
                 audio_channels: int = 128,
                 inter_channels: Optional[int] = None,
                 audio_attention: bool = True,
                 video_attention: bool = False,
                 audio_proj_bias: bool = True,
                 temporal_window: Optional[int] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not (audio_attention or video_attention):
            raise ValueError('TPAVI needs audio_attention or video_attention')
        if temporal_window is not None and (
                isinstance(temporal_window, bool)
                or not isinstance(temporal_window, int)
                or temporal_window < 1):
            raise ValueError('TPAVI temporal_window must be a positive int '
                             f'or None, got {temporal_window!r}')
        self.temporal_window = temporal_window
        self.stages, self.in_channels = parse_stages(
            'TPAVI', in_channels, stages)
        self.audio_attention = audio_attention
        self.video_attention = video_attention
        self.blocks = nn.ModuleList(
            TPAVIBlock(self.in_channels[s], audio_channels, inter_channels,
                       audio_proj_bias) for s in self.stages)

    def forward(self,
                feats: Sequence[Tensor],
                audio: Tensor,
                num_frames: int,
                return_aux: bool = False
                ) -> Union[Tuple[Tensor], Tuple[Tuple[Tensor], dict]]:
        """Fuse the chosen levels.

        Args:
            feats (Sequence[Tensor]): Level i of shape (B*T, C_i, H_i, W_i),
                frames of a clip consecutive.
            audio (Tensor): Audio features of shape (B*T, D).
            num_frames (int): Frames per clip T.
            return_aux (bool): Also return, for every stage fused with audio
                attention, the audio projected to its channels
                ``aux['audio_proj'][stage]`` of shape (B*T, C_stage) (used by
                L_AVM) and the attention maps ``aux['attn'][stage]`` of shape
                (B*T, H_stage, W_stage) (see :meth:`TPAVIBlock.attention_map`).

        Returns:
            tuple[Tensor] | tuple[tuple[Tensor], dict]: Levels of the input
            shapes, and the aux dict when ``return_aux``.
        """
        check_fusion_inputs('TPAVI', feats, audio, num_frames)
        if self.temporal_window is not None:
            if num_frames % self.temporal_window:
                raise ValueError(
                    f'TPAVI: clips of {num_frames} frames do not split into '
                    f'windows of temporal_window={self.temporal_window}')
            num_frames = self.temporal_window  # windows attend on their own
        feats: List[Tensor] = list(feats)
        audio = audio.view(-1, num_frames, audio.shape[-1])  # (B, T, D)
        audio_proj: Dict[int, Tensor] = {}
        attn: Dict[int, Tensor] = {}
        for stage, block in zip(self.stages, self.blocks):
            x = to_clips(feats[stage], num_frames)
            outs = []
            if self.video_attention:
                outs.append(block(x)[0])
            if self.audio_attention:
                z, proj = block(x, audio)
                outs.append(z)
                audio_proj[stage] = proj.flatten(0, 1)
                if return_aux:
                    attn[stage] = block.attention_map(x, audio).flatten(0, 1)
            feats[stage] = to_frames(sum(outs) / len(outs))
        if not return_aux:
            return tuple(feats)
        return tuple(feats), dict(audio_proj=audio_proj, attn=attn)
