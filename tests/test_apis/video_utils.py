# Copyright (c) mmavs contributors. All rights reserved.
"""Tiny generated videos with an audio track: a circle moving across a grey
frame while a tone plays, written with PyAV."""
import os.path as osp
from fractions import Fraction
from typing import Callable, Optional

import av
import numpy as np

SAMPLE_RATE = 16000
#: The tiny TPAVI config the inference tests run.
TINY_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs',
    'tpavi', 'tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py')


def frame_image(i: int, fps: float, size: int) -> np.ndarray:
    """RGB frame ``i``: a red disc whose x position encodes the time."""
    img = np.full((size, size, 3), 90, np.uint8)
    yy, xx = np.mgrid[:size, :size]
    cx = (i / fps * 7) % size
    img[(xx - cx)**2 + (yy - size / 2)**2 < (size / 6)**2] = (220, 40, 40)
    return img


def index_image(i: int, fps: float, size: int) -> np.ndarray:
    """RGB frame ``i`` showing ``i`` in binary: 8 vertical bands, band b
    (left to right) white when bit b of ``i`` is set, else black."""
    bits = (i >> np.arange(8)) & 1
    cols = np.repeat(np.where(bits, 235, 16), size // 8).astype(np.uint8)
    return np.broadcast_to(cols[None, :, None], (size, size, 3)).copy()


def read_index(img: np.ndarray) -> int:
    """The frame index shown by an :func:`index_image` frame (any channel
    order), read from the centre of each band."""
    size = img.shape[1] // 8
    centres = img[:, size // 2::size][:, :8].mean(axis=(0, 2))
    return int(sum(1 << b for b, v in enumerate(centres) if v > 128))


def stepped_tone(levels) -> np.ndarray:
    """A 440 Hz tone of amplitude ``levels[k]`` during second k:
    float32 (len(levels) * SAMPLE_RATE, )."""
    t = np.arange(len(levels) * SAMPLE_RATE) / SAMPLE_RATE
    amp = np.repeat(np.asarray(levels, float), SAMPLE_RATE)
    return (amp * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def tone(seconds: float, freq: float = 440.0) -> np.ndarray:
    """A sine tone that switches frequency each second: float32 (L, )."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    f = freq * (1 + (t.astype(int) % 2))
    return (0.5 * np.sin(2 * np.pi * f * t)).astype(np.float32)


def write_video(path: str,
                seconds: float = 6.0,
                fps: int = 2,
                size: int = 64,
                audio: bool = True,
                codec: Optional[str] = None,
                audio_codec: Optional[str] = None,
                image: Callable[[int, float, int], np.ndarray] = frame_image,
                samples: Optional[np.ndarray] = None) -> str:
    """Write a test video; the container follows the file extension.

    Frame i is ``image(i, fps, size)``; the audio track is ``samples``
    (float32 (L, ) at SAMPLE_RATE), else :func:`tone`.
    """
    ext = str(path).rsplit('.', 1)[-1]
    codec = codec or dict(webm='libvpx-vp9', avi='mpeg4').get(ext, 'libx264')
    audio_codec = audio_codec or dict(
        webm='libopus', avi='pcm_s16le').get(ext, 'aac')
    with av.open(str(path), 'w') as out:
        video = out.add_stream(codec, rate=fps)
        video.width = video.height = size
        video.pix_fmt = 'yuv420p'
        if audio:
            rate = 48000 if audio_codec == 'libopus' else SAMPLE_RATE
            sound = out.add_stream(audio_codec, rate=rate, layout='mono')
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(
                image(i, fps, size), format='rgb24')
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio:
            samples = tone(seconds) if samples is None else samples
            if rate != SAMPLE_RATE:
                samples = np.interp(
                    np.arange(len(samples) * rate // SAMPLE_RATE) *
                    SAMPLE_RATE / rate,
                    np.arange(len(samples)), samples).astype(np.float32)
            step = 1024
            for start in range(0, len(samples), step):
                chunk = samples[None, start:start + step]
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(chunk), format='fltp', layout='mono')
                frame.sample_rate = rate
                frame.pts = start
                frame.time_base = Fraction(1, rate)
                out.mux(sound.encode(frame))
            out.mux(sound.encode(None))
    return str(path)
