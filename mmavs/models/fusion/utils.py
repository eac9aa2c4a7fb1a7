# Copyright (c) mmavs contributors. All rights reserved.
from typing import List, Sequence, Tuple, Union

from torch import Tensor


def parse_stages(owner: str, in_channels: Union[int, Sequence[int]],
                 stages: Sequence[int]) -> Tuple[Tuple[int], List[int]]:
    """Check the fused stages of a fusion module and list level channels.

    Args:
        owner (str): Class name for error messages.
        in_channels (int | Sequence[int]): Channels of every level, or of
            each level.
        stages (Sequence[int]): 0-based levels to fuse.

    Returns:
        tuple[tuple[int], list[int]]: The stages and the channels of each
        level (an int is repeated up to the last stage).
    """
    stages = tuple(stages)
    if len(set(stages)) != len(stages):
        raise ValueError(f'{owner} stages repeat: {stages}')
    if isinstance(in_channels, int):
        in_channels = [in_channels] * (max(stages, default=-1) + 1)
    in_channels = list(in_channels)
    if any(s < 0 or s >= len(in_channels) for s in stages):
        raise ValueError(f'{owner} stages {stages} out of range for '
                         f'{len(in_channels)} levels')
    return stages, in_channels


def check_fusion_inputs(owner: str, feats: Sequence[Tensor], audio: Tensor,
                        num_frames: int) -> None:
    """Check the inputs of a fusion's ``forward``.

    Args:
        owner (str): Class name for error messages.
        feats (Sequence[Tensor]): Levels of shape (B*T, C_i, H_i, W_i).
        audio (Tensor): Audio features, expected of shape (B*T, D).
        num_frames (int): Frames per clip T.
    """
    frames = feats[0].shape[0]
    if audio.dim() != 2 or audio.shape[0] != frames:
        raise ValueError(f'{owner}: {audio.shape[0]} audio features of shape '
                         f'{tuple(audio.shape)} for {frames} frames; '
                         f'expected audio of shape ({frames}, D)')
    if frames % num_frames:
        raise ValueError(f'{owner}: {frames} frames is not a multiple of '
                         f'num_frames={num_frames}')


def to_clips(x: Tensor, num_frames: int) -> Tensor:
    """(B*T, C, H, W) -> (B, C, T, H, W)."""
    return x.unflatten(0, (-1, num_frames)).transpose(1, 2)


def to_frames(x: Tensor) -> Tensor:
    """(B, C, T, H, W) -> (B*T, C, H, W)."""
    return x.transpose(1, 2).flatten(0, 1)
