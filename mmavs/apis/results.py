# Copyright (c) mmavs contributors. All rights reserved.
"""What inference on a video gives: a result per second as it comes, or
all of a video's."""
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np

from .video_io import AVClip


def frame_areas(second: int, time: float, mask: np.ndarray,
                classes: Sequence[str]) -> dict:
    """A sampled frame's time, its second and the fraction of the frame
    covered by each predicted class of ``mask`` (H, W) (background
    excluded)."""
    ids, counts = np.unique(mask, return_counts=True)
    return dict(
        time=float(time),
        second=[second, second + 1],
        areas={
            str(classes[i]): float(c / mask.size)
            for i, c in zip(ids, counts) if 0 < i < len(classes)
        })


@dataclass
class SecondResult:
    """The prediction of one second of a video.

    Attributes:
        index (int): The second k; the mask holds for ``[k, k + 1)`` s.
        time (float): Time of the sampled frame (s).
        frame (np.ndarray): The sampled BGR uint8 frame (H, W, 3).
        audio (np.ndarray): float32 (C, sample_rate) audio of the second.
        mask (np.ndarray): uint8 (H, W) class indices (binary models: 0/1).
        attention (np.ndarray, optional): float32 (H_s, W_s) audio-visual
            attention of the deepest fused stage.
    """
    index: int
    time: float
    frame: np.ndarray
    audio: np.ndarray
    mask: np.ndarray
    attention: Optional[np.ndarray] = None


@dataclass
class VideoResult:
    """Per-second predictions on a video.

    Attributes:
        clip (AVClip): The sampled frames, their times and the audio.
        masks (np.ndarray): uint8 (N, H, W) class indices (binary models:
            0/1) of the N sampled frames, at the frame size; mask k holds
            for the video time ``[k, k + 1)`` s.
        classes (Sequence[str]): Class names, index 0 = background.
        palette (Sequence[Sequence[int]]): RGB colour of each class.
        attention (np.ndarray, optional): float32 (N, H_s, W_s)
            audio-visual attention of the deepest fused stage.
    """
    clip: AVClip
    masks: np.ndarray
    classes: Sequence[str]
    palette: Sequence[Sequence[int]]
    attention: Optional[np.ndarray] = None

    @property
    def timestamps(self) -> np.ndarray:
        """Time (s) of each sampled frame, (N, )."""
        return self.clip.timestamps

    def index_at(self, time: float) -> int:
        """Index of the mask that holds at ``time`` seconds."""
        return int(min(max(np.floor(time), 0), len(self.masks) - 1))

    def areas(self) -> List[dict]:
        """Per sampled frame: its time, its second and the fraction of the
        frame covered by each predicted class (background excluded)."""
        return [
            frame_areas(k, t, mask, self.classes)
            for k, (t, mask) in enumerate(zip(self.timestamps, self.masks))
        ]
