# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, List, Sequence, Tuple, Union

import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

from mmavs.registry import MODELS
from .utils import check_fusion_inputs, parse_stages


@MODELS.register_module()
class AVAdd(BaseModule):
    """Add the audio to the visual features (the "A ⊕ V" of Table 5).

    `Audio-Visual Segmentation <https://arxiv.org/abs/2207.05042>`_ compares
    TPAVI with "directly adding the audio to visual features"; the released
    code has no such model, so this follows the text: at each chosen level
    the frame's audio is projected to the level's channels by a
    ``Linear(audio_channels, C_i)`` (as TPAVI's ``align_channel``) and added
    at every position of that frame, ``Z_i = V_i + W_i a + b_i``. There is
    no mixing over time or space and no normalisation. Levels not listed
    pass through unchanged.

    Args:
        in_channels (int | Sequence[int]): Channels of every level, or of each
            level. Defaults to 256.
        stages (Sequence[int]): 0-based levels to fuse. Defaults to
            (0, 1, 2, 3).
        audio_channels (int): Audio feature size. Defaults to 128.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Union[int, Sequence[int]] = 256,
                 stages: Sequence[int] = (0, 1, 2, 3),
                 audio_channels: int = 128,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.stages, self.in_channels = parse_stages(
            'AVAdd', in_channels, stages)
        self.align_channels = nn.ModuleList(
            nn.Linear(audio_channels, self.in_channels[s])
            for s in self.stages)

    def forward(self,
                feats: Sequence[Tensor],
                audio: Tensor,
                num_frames: int,
                return_aux: bool = False
                ) -> Union[Tuple[Tensor], Tuple[Tuple[Tensor], dict]]:
        """Add the audio to the chosen levels.

        Args:
            feats (Sequence[Tensor]): Level i of shape (B*T, C_i, H_i, W_i),
                frames of a clip consecutive.
            audio (Tensor): Audio features of shape (B*T, D), one per frame.
            num_frames (int): Frames per clip T (checked only: each frame
                hears its own audio).
            return_aux (bool): Also return ``aux['audio_proj'][stage]``, the
                projected audio of shape (B*T, C_stage) (used by L_AVM), and
                ``aux['attn'][stage]`` of shape (B*T, H_stage, W_stage), the
                cosine similarity of each visual position (before the
                addition) with the added audio vector.

        Returns:
            tuple[Tensor] | tuple[tuple[Tensor], dict]: Levels of the input
            shapes, and the aux dict when ``return_aux``.
        """
        check_fusion_inputs('AVAdd', feats, audio, num_frames)
        feats: List[Tensor] = list(feats)
        audio_proj: Dict[int, Tensor] = {}
        attn: Dict[int, Tensor] = {}
        for stage, align in zip(self.stages, self.align_channels):
            proj = align(audio)  # (B*T, C)
            vector = proj[..., None, None]
            if return_aux:
                audio_proj[stage] = proj
                attn[stage] = F.cosine_similarity(
                    feats[stage], vector, dim=1)
            feats[stage] = feats[stage] + vector
        if not return_aux:
            return tuple(feats)
        return tuple(feats), dict(audio_proj=audio_proj, attn=attn)
