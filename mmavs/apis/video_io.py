# Copyright (c) mmavs contributors. All rights reserved.
"""Read a video file with its audio track (PyAV), or a folder of frames plus
a wav, as one frame per second and the waveform.

Sampling rule of a video file (the official AVSBench preprocessing,
``preprocess_scripts/preprocess_s4.py``): frames are counted by decode
index; with ``fi = int(round(fps))`` (``fps`` from the container metadata)
the frame of second ``l`` (0-based) is frame ``int(l * fi + 15 / 16 * fi)``
(23, 48, 73, ... at 25 fps; 28, 58, 88, ... at 30 fps), or the last decoded
frame if there are fewer. The video lasts ``D`` seconds (last frame time +
one frame period, times from the first frame) and ``N = floor(D)`` whole
seconds are kept (a trailing partial second is not sampled).

A folder of frames is already one frame per second (the AVSBench release):
frame ``i`` (0-based, natural file order) is at ``i / fps`` s and the frame
of second ``l`` is the last one with time ``< l + 1``, so with ``fps = 1``
frame ``i`` is the frame of second ``i``, kept as it is.
"""
import os
import os.path as osp
import re
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterator, List, Optional, Tuple

import av
import mmcv
import numpy as np

from mmavs.audio import load_wav

#: Sample rate of the silence used for a video without audio.
SILENCE_SAMPLE_RATE = 16000
IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp')
_EPS = 1e-6


class VideoDecodeError(ValueError):
    """A video file exists but cannot be decoded."""


class NoAudioError(ValueError):
    """A video has no audio track (and silence was not allowed)."""


@dataclass
class AVClip:
    """Frames sampled once per second from a video, and its audio.

    Attributes:
        source (str): The video file or frame folder.
        frames (list[np.ndarray]): N BGR uint8 frames of shape (H, W, 3);
            frame l is the frame of second ``[l, l + 1)``.
        timestamps (np.ndarray): float (N, ), time of each sampled frame (s).
        duration (float): Video duration D in seconds.
        fps (float): Frame rate of the source.
        waveform (np.ndarray): float32 (C, L), sample 0 at time 0.
        sample_rate (int): Sample rate of ``waveform`` in Hz.
        has_audio (bool): False when ``waveform`` is made-up silence.
    """
    source: str
    frames: List[np.ndarray]
    timestamps: np.ndarray
    duration: float
    fps: float
    waveform: np.ndarray
    sample_rate: int
    has_audio: bool

    @property
    def num_seconds(self) -> int:
        """Number N of sampled seconds."""
        return len(self.frames)

    def audio_of_second(self, k: int) -> np.ndarray:
        """Audio of second ``[k, k + 1)`` (0-based ``k``), zero-padded past
        the end of the track: float32 (C, sample_rate)."""
        sr = self.sample_rate
        seg = self.waveform[:, k * sr:(k + 1) * sr]
        if seg.shape[1] < sr:
            seg = np.pad(seg, ((0, 0), (0, sr - seg.shape[1])))
        return seg


class FrameSource:
    """All frames of a video file or a frame folder, in time order.

    Iterating yields ``(time, load)`` pairs, ``time`` in seconds from the
    first frame and ``load()`` returning the BGR uint8 frame (H, W, 3), so
    frames that are not needed are never converted.

    Args:
        path (str): Video file or folder of frames.
        fps (float): Frame rate of a folder. Defaults to 1.0.
    """

    def __init__(self, path: str, fps: float = 1.0) -> None:
        self.path = os.fspath(path)
        if osp.isdir(self.path):
            if fps <= 0:
                raise ValueError(f'fps must be positive, got {fps}.')
            self.frame_files = _frame_files(self.path)
            self.fps = float(fps)
        else:
            self.frame_files = None
            self.fps = _video_fps(self.path)

    def __iter__(self) -> Iterator[Tuple[float, Callable[[], np.ndarray]]]:
        if self.frame_files is not None:
            for i, file in enumerate(self.frame_files):
                yield i / self.fps, partial(_read_frame, file)
            return
        with _open(self.path) as container:
            stream = container.streams.video[0]
            t0 = None
            try:
                for i, frame in enumerate(container.decode(stream)):
                    time = frame.time if frame.time is not None else \
                        i / self.fps
                    t0 = time if t0 is None else t0
                    yield time - t0, partial(frame.to_ndarray, format='bgr24')
            except av.FFmpegError as err:
                raise VideoDecodeError(
                    f'Cannot decode the video stream of {self.path}: '
                    f'{err}') from err
            if t0 is None:
                raise VideoDecodeError(
                    f'No video frame could be decoded from {self.path}.')

    def start_time(self) -> float:
        """Time of the first video frame in the container's clock (s)."""
        if self.frame_files is not None:
            return 0.0
        with _open(self.path) as container:
            stream = container.streams.video[0]
            for frame in container.decode(stream):
                return frame.time or 0.0
        raise VideoDecodeError(
            f'No video frame could be decoded from {self.path}.')


def _open(path: str) -> 'av.container.InputContainer':
    """Open a video file, raising clear errors for bad files."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Video file not found: {path}')
    if osp.getsize(path) == 0:
        raise VideoDecodeError(f'Video file is empty (0 bytes): {path}')
    try:
        container = av.open(path)
    except av.FFmpegError as err:
        raise VideoDecodeError(
            f'Not a readable video file (corrupt or unsupported '
            f'container): {path} ({err})') from err
    if not container.streams.video:
        container.close()
        raise VideoDecodeError(f'{path} has no video stream.')
    return container


def _video_fps(path: str) -> float:
    with _open(path) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
    if not rate:
        raise VideoDecodeError(f'Cannot tell the frame rate of {path}.')
    return float(rate)


def _natural_key(name: str) -> list:
    return [int(s) if s.isdigit() else s for s in re.split(r'(\d+)', name)]


def _frame_files(folder: str) -> List[str]:
    names = sorted((n for n in os.listdir(folder)
                    if n.lower().endswith(IMAGE_EXTENSIONS)),
                   key=_natural_key)
    if not names:
        raise FileNotFoundError(
            f'No frame ({"/".join(IMAGE_EXTENSIONS)}) in folder {folder}.')
    return [osp.join(folder, n) for n in names]


def _read_frame(path: str) -> np.ndarray:
    img = mmcv.imread(path, flag='color')
    if img is None:
        raise VideoDecodeError(f'Cannot decode frame {path}.')
    return img


def official_frame_index(second: int, fps: float) -> int:
    """Decode index of the frame of ``second`` (0-based) in the official
    AVSBench preprocessing: the last of 16 samples per second."""
    fi = int(round(fps))
    return int(second * fi + (15 / 16) * fi)


def sample_seconds(source: FrameSource
                   ) -> Tuple[List[np.ndarray], np.ndarray, float]:
    """Sample the frame of every whole second (see the module docstring):
    by decode index for a video file, by time for a frame folder.

    Returns:
        tuple: N BGR frames, their times (N, ) and the duration D (s).

    Raises:
        VideoDecodeError: The video lasts less than one second.
    """
    by_time = source.frame_files is not None
    frames, times = [], []
    last = None  # (time, load) of the latest frame
    for i, (time, load) in enumerate(source):
        if by_time:  # the last frame before second len(frames) + 1 ends
            while last is not None and time >= len(frames) + 1 - _EPS:
                frames.append(last[1]())
                times.append(last[0])
        elif i == official_frame_index(len(frames), source.fps):
            frames.append(load())
            times.append(time)
        last = (time, load)
    duration = last[0] + 1.0 / source.fps
    num_seconds = int(np.floor(duration + _EPS))
    if num_seconds < 1:
        raise VideoDecodeError(
            f'{source.path} lasts {duration:.3f} s; at least one second is '
            'needed (one frame and one second of audio per second).')
    while len(frames) < num_seconds:  # past the last frame: the last one
        frames.append(last[1]())
        times.append(last[0])
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        raise VideoDecodeError(
            f'Frames of {source.path} differ in size: {sorted(shapes)}.')
    return frames[:num_seconds], np.asarray(times[:num_seconds]), duration


def read_audio_track(path: str, video_start: float
                     ) -> Optional[Tuple[np.ndarray, int]]:
    """Decode the first audio stream of a video file.

    Args:
        path (str): Video file.
        video_start (float): Time of the first video frame (s); the audio is
            shifted so that its sample 0 is at that time.

    Returns:
        tuple[np.ndarray, int] | None: float32 (C, L) and the sample rate, or
        None when the file has no audio stream (or an empty one).
    """
    with _open(path) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format='fltp')  # planar float32
        chunks, start, rate = [], None, None
        try:
            for frame in container.decode(stream):
                if start is None:
                    start, rate = frame.time or 0.0, frame.sample_rate
                chunks += [f.to_ndarray() for f in resampler.resample(frame)]
            chunks += [f.to_ndarray() for f in resampler.resample(None)]
        except av.FFmpegError as err:
            raise VideoDecodeError(
                f'Cannot decode the audio stream of {path}: {err}') from err
    if not chunks:
        return None
    waveform = np.concatenate(chunks, axis=1).astype(np.float32)
    shift = int(round((start - video_start) * rate))
    if shift > 0:  # audio starts after the first frame: pad with silence
        waveform = np.pad(waveform, ((0, 0), (shift, 0)))
    elif shift < 0:
        waveform = waveform[:, -shift:]
    return np.ascontiguousarray(waveform), int(rate)


def _folder_audio(folder: str, audio: Optional[str]) -> Optional[str]:
    """The wav of a frame folder: ``audio`` or the folder's only audio
    file."""
    if audio is not None:
        return audio
    wavs = sorted(n for n in os.listdir(folder)
                  if n.lower().endswith(('.wav', '.flac')))
    if len(wavs) > 1:
        raise ValueError(f'Folder {folder} holds several audio files '
                         f'{wavs}; pass the one to use.')
    return osp.join(folder, wavs[0]) if wavs else None


def load_av_clip(path: str,
                 audio: Optional[str] = None,
                 fps: float = 1.0,
                 silent_ok: bool = False) -> AVClip:
    """Read a video (or a folder of frames plus a wav) for inference.

    Args:
        path (str): Video file (any container FFmpeg reads: mp4, mkv, webm,
            avi, ...) or a folder of frames.
        audio (str, optional): Audio file of a frame folder (else its only
            ``.wav``/``.flac``). Ignored for video files. Defaults to None.
        fps (float): Frame rate of a frame folder. Defaults to 1.0.
        silent_ok (bool): Accept a video without audio and use silence.
            Defaults to False.

    Returns:
        AVClip: The sampled frames and the audio.

    Raises:
        FileNotFoundError: Missing file, or a folder without frames.
        VideoDecodeError: Empty, corrupt or non-video file, or shorter than
            one second.
        NoAudioError: No audio and ``silent_ok`` is False.
    """
    source = FrameSource(path, fps)
    frames, times, duration = sample_seconds(source)
    if source.frame_files is not None:
        wav = _folder_audio(source.path, audio)
        track = load_wav(wav) if wav is not None else None
    else:
        track = read_audio_track(source.path, source.start_time())
    has_audio = track is not None
    if not has_audio:
        if not silent_ok:
            raise NoAudioError(
                f'{path} has no audio track; pass silent_ok=True '
                '(--silent-ok) to segment it with silence.')
        length = int(np.ceil(duration * SILENCE_SAMPLE_RATE))
        track = (np.zeros((1, length), np.float32), SILENCE_SAMPLE_RATE)
    return AVClip(source.path, frames, times, duration, source.fps, *track,
                  has_audio)
