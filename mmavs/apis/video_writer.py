# Copyright (c) mmavs contributors. All rights reserved.
"""Write the predictions on a video: the video with masks overlaid and its
audio (PyAV), written as the masks come, PNG masks and a JSON of per-frame
areas."""
import json
import os
import os.path as osp
from fractions import Fraction
from typing import Callable, List, Optional, Sequence

import av
import mmcv
import numpy as np
from tqdm import tqdm

from mmavs.visualization.overlay import overlay_mask
from .audio_track import AudioTrack
from .results import VideoResult
from .video_io import FrameSource, open_audio

_AUDIO_CHUNK = 1024  # samples per encoded audio frame (AAC frame size)


def _even(img: np.ndarray) -> np.ndarray:
    """Pad the bottom/right edge to even sizes (H.264 with yuv420p)."""
    h, w = img.shape[:2]
    return np.pad(img, ((0, h % 2), (0, w % 2), (0, 0)), mode='edge')


class OverlayVideoWriter:
    """Write every frame of a source with the mask of its second overlaid
    in class colours (background undrawn), as H.264, with the source audio
    re-encoded as AAC (more than two channels mixed down to mono), as the
    masks come: the frames of second k are drawn once mask k is given, so
    only the frame being drawn is held. The frame rate and duration are the
    source's; a trailing partial second keeps the last mask.

    The output file is created with the first frame drawn. Use as a context
    manager and call :meth:`close` after the last mask; leaving on an error
    removes the file if it was created (it is incomplete).

    Args:
        out (str): Output file (.mp4, .mkv, ...).
        source (FrameSource): The frames to draw on (read again, from the
            start).
        palette (Sequence[Sequence[int]]): RGB colour of each class.
        alpha (float): Opacity of the class colours. Defaults to 0.5.
        audio (AudioTrack, optional): The audio to mux, from time 0; None
            writes no audio stream. Defaults to None.
    """

    def __init__(self,
                 out: str,
                 source: FrameSource,
                 palette: Sequence[Sequence[int]],
                 alpha: float = 0.5,
                 audio: Optional[AudioTrack] = None) -> None:
        self.out = out
        self._frames = iter(source)
        self._period = 1.0 / source.fps
        self._rate = Fraction(source.fps).limit_denominator(1001)
        self._palette = [list(c)[::-1] for c in palette]  # BGR
        self._alpha = alpha
        self._audio = audio
        self._audio_done = 0  # samples muxed
        self._container = None
        self._next = None  # (time, load) of the next frame to draw
        self._mask: Optional[np.ndarray] = None
        self._count = 0

    def __enter__(self) -> 'OverlayVideoWriter':
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
            if exc_type is not None and osp.exists(self.out):
                os.remove(self.out)

    def write(self, mask: np.ndarray) -> None:
        """Draw the mask (H, W) of the next second k (0, 1, ...) on the
        source frames up to time ``k + 1``."""
        k, self._count, self._mask = self._count, self._count + 1, mask
        self._draw_while(lambda time: np.floor(time) <= k)

    def close(self, duration: float) -> None:
        """Draw the last mask on the frames left, mux the audio up to
        ``duration`` seconds and finish the file."""
        if self._mask is None:
            raise RuntimeError(f'{self.out}: no mask was written.')
        self._draw_while(lambda time: True)
        self._container.mux(self._video.encode(None))
        if self._audio is not None:
            self._mux_audio(int(round(duration * self._audio.sample_rate)),
                            whole_chunks=False)
            self._container.mux(self._audio_stream.encode(None))
        self._container.close()
        self._container = None

    def _open(self, first: np.ndarray) -> None:
        os.makedirs(osp.dirname(osp.abspath(self.out)), exist_ok=True)
        self._container = av.open(self.out, 'w')
        self._video = self._container.add_stream('libx264', rate=self._rate)
        self._video.pix_fmt = 'yuv420p'
        h, w = _even(first).shape[:2]
        self._video.width, self._video.height = w, h
        if self._audio is not None:
            self._layout = 'stereo' if self._audio.num_channels == 2 \
                else 'mono'
            self._audio_stream = self._container.add_stream(
                'aac', rate=self._audio.sample_rate, layout=self._layout)

    def _draw_while(self, wanted: Callable[[float], bool]) -> None:
        """Draw the current mask on the next frames while ``wanted(time)``;
        mux the audio up to the end of the last one."""
        while True:
            if self._next is None:
                self._next = next(self._frames, None)
            if self._next is None or not wanted(self._next[0]):
                return
            (time, load), self._next = self._next, None
            image = load()
            if self._container is None:
                self._open(image)
            drawn = overlay_mask(image, self._mask, self._palette,
                                 self._alpha)
            frame = av.VideoFrame.from_ndarray(_even(drawn), format='bgr24')
            self._container.mux(self._video.encode(frame))
            if self._audio is not None:
                self._mux_audio(
                    int(round((time + self._period) *
                              self._audio.sample_rate)),
                    whole_chunks=True)

    def _mux_audio(self, until: int, whole_chunks: bool) -> None:
        """Mux the audio up to sample ``until`` (only whole chunks if
        ``whole_chunks``, else the rest too), or to the end of the track."""
        sample_rate = self._audio.sample_rate
        while self._audio_done < until:
            size = min(_AUDIO_CHUNK, until - self._audio_done)
            if whole_chunks and size < _AUDIO_CHUNK:
                return
            chunk = self._audio.read(size, pad=False)
            if not chunk.shape[1]:
                return
            if chunk.shape[0] > 2:
                chunk = chunk.mean(0, keepdims=True)
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk), format='fltp',
                layout=self._layout)
            frame.sample_rate = sample_rate
            frame.pts = self._audio_done
            frame.time_base = Fraction(1, sample_rate)
            self._container.mux(self._audio_stream.encode(frame))
            self._audio_done += chunk.shape[1]


def write_overlay_video(result: VideoResult,
                        out: str,
                        alpha: float = 0.5,
                        progress: bool = False) -> str:
    """Write the source of ``result`` with its masks overlaid and its audio
    (no audio stream for a source without one), as
    :class:`OverlayVideoWriter` does.

    Args:
        result (VideoResult): Predictions of :func:`inference_video`.
        out (str): Output file (.mp4, .mkv, ...).
        alpha (float): Opacity of the class colours. Defaults to 0.5.
        progress (bool): Show a progress bar. Defaults to False.

    Returns:
        str: ``out``.
    """
    clip = result.clip
    source = FrameSource(clip.source, clip.fps)
    audio = open_audio(source, clip.audio_file) if clip.has_audio else None
    with OverlayVideoWriter(out, source, result.palette, alpha,
                            audio) as writer:
        for mask in tqdm(result.masks, unit='s', disable=not progress):
            writer.write(mask)
        writer.close(clip.duration)
    return out


def write_mask_png(mask: np.ndarray, path: str, binary: bool) -> str:
    """Write a mask as PNG: 0/255 if ``binary``, else class indices."""
    mmcv.imwrite(mask * np.uint8(255 if binary else 1), path)
    return path


def mask_png_path(out_dir: str, source: str, second: int) -> str:
    """``<out_dir>/<stem>_<second + 1>.png`` (seconds from 1, as in
    AVSBench)."""
    stem = osp.splitext(osp.basename(source.rstrip('/')))[0]
    return osp.join(out_dir, f'{stem}_{second + 1}.png')


def write_mask_pngs(result: VideoResult, out_dir: str) -> list:
    """One PNG per sampled frame, ``<stem>_<second>.png`` (seconds from 1,
    as in AVSBench): 0/255 for a binary model, else class indices."""
    binary = len(result.classes) == 2
    return [
        write_mask_png(mask, mask_png_path(out_dir, result.clip.source, k),
                       binary) for k, mask in enumerate(result.masks)
    ]


def save_areas_json(path: str, source: str, duration: float,
                    has_audio: bool, classes: Sequence[str],
                    frames: List[dict]) -> dict:
    """JSON of the source, its duration, the classes and, per sampled frame
    (:func:`mmavs.apis.results.frame_areas`), its time, its second and the
    frame fraction of each sounding class."""
    data = dict(
        source=source,
        duration=duration,
        has_audio=has_audio,
        classes=list(classes),
        frames=frames)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, indent=2)
    return data


def write_areas_json(result: VideoResult, path: str) -> dict:
    """:func:`save_areas_json` of a whole-video result."""
    clip = result.clip
    return save_areas_json(path, clip.source, clip.duration, clip.has_audio,
                           result.classes, result.areas())


def summary(source: str,
            areas: List[dict],
            out: Optional[str] = None) -> str:
    """One line on what was segmented, from the per-second areas."""
    found = sum(bool(a['areas']) for a in areas)
    text = (f'{source}: {len(areas)} s segmented, '
            f'sounding objects in {found} of them')
    return text + (f'; wrote {out}' if out else '')
