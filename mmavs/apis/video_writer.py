# Copyright (c) mmavs contributors. All rights reserved.
"""Write the predictions on a video: the video with masks overlaid and its
audio (PyAV), PNG masks and a JSON of per-frame areas."""
import json
import os
import os.path as osp
from fractions import Fraction
from typing import Optional

import av
import mmcv
import numpy as np
from mmengine.utils import ProgressBar

from mmavs.visualization.overlay import overlay_mask
from .inference import VideoResult
from .video_io import FrameSource

_AUDIO_CHUNK = 1024  # samples per encoded audio frame (AAC frame size)


def _even(img: np.ndarray) -> np.ndarray:
    """Pad the bottom/right edge to even sizes (H.264 with yuv420p)."""
    h, w = img.shape[:2]
    return np.pad(img, ((0, h % 2), (0, w % 2), (0, 0)), mode='edge')


def _add_audio(container: 'av.container.OutputContainer',
               waveform: np.ndarray, sample_rate: int):
    """Add an AAC stream for ``waveform`` (C, L); more than two channels
    are mixed down to mono."""
    if waveform.shape[0] > 2:
        waveform = waveform.mean(0, keepdims=True)
    layout = 'mono' if waveform.shape[0] == 1 else 'stereo'
    stream = container.add_stream('aac', rate=sample_rate, layout=layout)
    return stream, np.ascontiguousarray(waveform, dtype=np.float32), layout


def _mux_audio(container: 'av.container.OutputContainer', stream,
               waveform: np.ndarray, layout: str, sample_rate: int) -> None:
    for start in range(0, waveform.shape[1], _AUDIO_CHUNK):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(waveform[:, start:start + _AUDIO_CHUNK]),
            format='fltp',
            layout=layout)
        frame.sample_rate = sample_rate
        frame.pts = start
        frame.time_base = Fraction(1, sample_rate)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def write_overlay_video(result: VideoResult,
                        out: str,
                        alpha: float = 0.5,
                        progress: bool = False) -> str:
    """Write every frame of the source with the mask of its second
    overlaid in class colours (background undrawn), as H.264, with the
    source audio re-encoded as AAC (no audio stream for a source without
    one). The frame rate and duration are the source's.

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
    palette_bgr = [list(c)[::-1] for c in result.palette]
    rate = Fraction(clip.fps).limit_denominator(1001)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    bar = ProgressBar(int(round(clip.duration * clip.fps))) \
        if progress else None
    with av.open(out, 'w') as container:
        video = container.add_stream('libx264', rate=rate)
        video.pix_fmt = 'yuv420p'
        h, w = _even(clip.frames[0]).shape[:2]
        video.width, video.height = w, h
        if clip.has_audio:
            audio, waveform, layout = _add_audio(container, clip.waveform,
                                                 clip.sample_rate)
            waveform = waveform[:, :int(round(clip.duration *
                                              clip.sample_rate))]
        for time, load in source:
            drawn = overlay_mask(load(), result.masks[result.index_at(time)],
                                 palette_bgr, alpha)
            frame = av.VideoFrame.from_ndarray(_even(drawn), format='bgr24')
            container.mux(video.encode(frame))
            if bar is not None:
                bar.update()
        container.mux(video.encode(None))
        if clip.has_audio:
            _mux_audio(container, audio, waveform, layout, clip.sample_rate)
    if bar is not None:
        print()
    return out


def write_mask_pngs(result: VideoResult, out_dir: str) -> list:
    """One PNG per sampled frame, ``<stem>_<second>.png`` (seconds from 1,
    as in AVSBench): 0/255 for a binary model, else class indices."""
    stem = osp.splitext(osp.basename(result.clip.source.rstrip('/')))[0]
    scale = 255 if len(result.classes) == 2 else 1
    paths = []
    for k, mask in enumerate(result.masks):
        path = osp.join(out_dir, f'{stem}_{k + 1}.png')
        mmcv.imwrite(mask * np.uint8(scale), path)
        paths.append(path)
    return paths


def write_areas_json(result: VideoResult, path: str) -> dict:
    """JSON of the source, its duration, the classes and, per sampled frame,
    its time, its second and the frame fraction of each sounding class."""
    data = dict(
        source=result.clip.source,
        duration=result.clip.duration,
        has_audio=result.clip.has_audio,
        classes=list(result.classes),
        frames=result.areas())
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, indent=2)
    return data


def summary(result: VideoResult, out: Optional[str] = None) -> str:
    """One line on what was segmented."""
    found = sum(bool(a['areas']) for a in result.areas())
    text = (f'{result.clip.source}: {len(result.masks)} s segmented, '
            f'sounding objects in {found} of them')
    return text + (f'; wrote {out}' if out else '')
