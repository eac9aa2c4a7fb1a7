# Copyright (c) mmavs contributors. All rights reserved.
"""Read a video file with its audio track (PyAV), or a folder of frames plus
a wav, as one frame per second and the audio of each second, as the video
decodes: only the frames of the current second and the audio block being
read are held, whatever the length of the video.

Sampling rule of a video file (the official AVSBench preprocessing,
``preprocess_scripts/preprocess_s4.py``): frames are counted by decode
index; with ``fi = int(round(fps))`` (``fps`` from the container metadata)
the frame of second ``l`` (0-based) is frame ``int(l * fi + 15 / 16 * fi)``
(23, 48, 73, ... at 25 fps; 28, 58, 88, ... at 30 fps), or the last decoded
frame if there are fewer. The video lasts ``D`` seconds (latest frame time +
one frame period, times from the first frame; frames decode in time order)
and ``N = floor(D)`` whole seconds are kept (a trailing partial second is not
sampled). A second is handed on as soon as a decoded frame shows that the
video lasts past its end.

A folder of frames is already one frame per second (the AVSBench release):
frame ``i`` (0-based, natural file order) is at ``i / fps`` s and the frame
of second ``l`` is the last one with time ``< l + 1``, so with ``fps = 1``
frame ``i`` is the frame of second ``i``, kept as it is.
"""
import os
import os.path as osp
import re
from collections import deque
from dataclasses import dataclass
from functools import partial
from typing import Callable, Iterator, List, Optional, Tuple

import av
import mmcv
import numpy as np

from mmavs.audio import load_wav
from .audio_track import AudioTrack, open_audio_track, silence
from .av_file import NoAudioError, VideoDecodeError, open_video_file

#: Sample rate of the silence used for a video without audio.
SILENCE_SAMPLE_RATE = 16000
IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp')
_EPS = 1e-6


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
        waveform (np.ndarray): float32 (C, N * sample_rate), the audio of
            the N seconds (zero-padded past the end of the track), sample 0
            at time 0.
        sample_rate (int): Sample rate of ``waveform`` in Hz.
        has_audio (bool): False when ``waveform`` is made-up silence.
        audio_file (str, optional): The audio file of a frame folder; None
            for a video file (its own track) or silence.
    """
    source: str
    frames: List[np.ndarray]
    timestamps: np.ndarray
    duration: float
    fps: float
    waveform: np.ndarray
    sample_rate: int
    has_audio: bool
    audio_file: Optional[str] = None

    @property
    def num_seconds(self) -> int:
        """Number N of sampled seconds."""
        return len(self.frames)

    def audio_of_second(self, k: int) -> np.ndarray:
        """Audio of second ``[k, k + 1)`` (0-based ``k < N``), zero-padded
        past the end of the track: float32 (C, sample_rate)."""
        sr = self.sample_rate
        return self.waveform[:, k * sr:(k + 1) * sr]


class FrameSource:
    """All frames of a video file or a frame folder, in time order.

    Iterating yields ``(time, load)`` pairs, ``time`` in seconds from the
    first frame and ``load()`` returning the BGR uint8 frame (H, W, 3), so
    frames that are not needed are never converted.

    Args:
        path (str): Video file or folder of frames.
        fps (float): Frame rate of a folder. Defaults to 1.0.

    Attributes:
        duration_hint (float | None): Duration (s) from the container
            metadata (frame count for a folder), for progress bars only.
    """

    def __init__(self, path: str, fps: float = 1.0) -> None:
        self.path = os.fspath(path)
        if osp.isdir(self.path):
            if fps <= 0:
                raise ValueError(f'fps must be positive, got {fps}.')
            self.frame_files = _frame_files(self.path)
            self.fps = float(fps)
            self.duration_hint = len(self.frame_files) / self.fps
        else:
            self.frame_files = None
            self.fps, self.duration_hint = _video_info(self.path)

    def __iter__(self) -> Iterator[Tuple[float, Callable[[], np.ndarray]]]:
        if self.frame_files is not None:
            for i, file in enumerate(self.frame_files):
                yield i / self.fps, partial(_read_frame, file)
            return
        with open_video_file(self.path) as container:
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
        with open_video_file(self.path) as container:
            stream = container.streams.video[0]
            for frame in container.decode(stream):
                return frame.time or 0.0
        raise VideoDecodeError(
            f'No video frame could be decoded from {self.path}.')


def _video_info(path: str) -> Tuple[float, Optional[float]]:
    """Frame rate and duration (s, None if unknown) from the metadata."""
    with open_video_file(path) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        duration = container.duration
    if not rate:
        raise VideoDecodeError(f'Cannot tell the frame rate of {path}.')
    return float(rate), None if duration is None else duration / 1e6


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


class SecondSampler:
    """Iterate over the frame of every whole second (see the module
    docstring), by decode index for a video file and by time for a frame
    folder, as the frames decode.

    Iterating yields ``(frame, time)``, the N BGR frames (H, W, 3) in order
    and their times (s), then sets :attr:`duration`. A second is yielded once
    a decoded frame shows that the video lasts past its end (the next frame,
    in a regular video), so at most a few frames are held.

    Args:
        source (FrameSource): The frames.

    Attributes:
        duration (float | None): Video duration D (s), once iterated.

    Raises:
        VideoDecodeError: The video lasts less than one second, or its
            sampled frames differ in size.
    """

    def __init__(self, source: FrameSource) -> None:
        self.source = source
        self.duration: Optional[float] = None

    def __iter__(self) -> Iterator[Tuple[np.ndarray, float]]:
        source, period = self.source, 1.0 / self.source.fps
        by_time = source.frame_files is not None
        pending = deque()  # sampled (frame, time) of seconds not confirmed
        count, latest, last, shape = 0, -np.inf, None, None
        for i, (time, load) in enumerate(source):
            if by_time:  # the last frame before second count + 1 ends
                while last is not None and time >= count + len(pending) + 1 \
                        - _EPS:
                    pending.append((last[1](), last[0]))
            elif i == official_frame_index(count + len(pending), source.fps):
                pending.append((load(), time))
            last, latest = (time, load), max(latest, time)
            while pending and count < _whole_seconds(latest + period):
                shape = self._check(pending[0][0], shape)
                yield pending.popleft()
                count += 1
        duration = latest + period
        if _whole_seconds(duration) < 1:
            raise VideoDecodeError(
                f'{source.path} lasts {duration:.3f} s; at least one second '
                'is needed (one frame and one second of audio per second).')
        for count in range(count, _whole_seconds(duration)):
            # past the last sampled frame: the last decoded one
            frame, time = pending.popleft() if pending else (last[1](),
                                                             last[0])
            shape = self._check(frame, shape)
            yield frame, time
        self.duration = duration

    def _check(self, frame: np.ndarray, shape: Optional[tuple]) -> tuple:
        if shape is not None and frame.shape != shape:
            raise VideoDecodeError(
                f'Frames of {self.source.path} differ in size: '
                f'{sorted([shape, frame.shape])}.')
        return frame.shape


def _whole_seconds(duration: float) -> int:
    return int(np.floor(duration + _EPS))


def sample_seconds(source: FrameSource
                   ) -> Tuple[List[np.ndarray], np.ndarray, float]:
    """All of :class:`SecondSampler`: N BGR frames, their times (N, ) and
    the duration D (s)."""
    sampler = SecondSampler(source)
    frames, times = zip(*sampler)
    return list(frames), np.asarray(times), sampler.duration


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


class AVSeconds:
    """The frame and the audio of every whole second of a video file (its
    first audio stream) or of a frame folder (plus a wav), read as the video
    decodes.

    Opening checks the input (and decodes its first frame); iterating yields
    ``(frame, time, audio)`` per second: the BGR frame (H, W, 3) sampled as
    :class:`SecondSampler` does, its time (s) and the audio of the second,
    float32 (C, sample_rate), zero-padded past the end of the track; then
    :attr:`duration` is set. It can be iterated once.

    Args:
        path (str): Video file (any container FFmpeg reads: mp4, mkv, webm,
            avi, ...) or a folder of frames.
        audio (str, optional): Audio file of a frame folder (else its only
            ``.wav``/``.flac``; it is read whole). Ignored for video files.
            Defaults to None.
        fps (float): Frame rate of a frame folder. Defaults to 1.0.
        silent_ok (bool): Accept a video without audio and use silence.
            Defaults to False.

    Attributes:
        frames (FrameSource): The frames.
        has_audio (bool): False when the audio is made-up silence.
        audio_file (str | None): The audio file of a frame folder.
        sample_rate (int): Sample rate of the audio (Hz).
        duration (float | None): Video duration D (s), once iterated.

    Raises:
        FileNotFoundError: Missing file, or a folder without frames.
        VideoDecodeError: Empty, corrupt or non-video file; while
            iterating, also a video shorter than one second.
        NoAudioError: No audio and ``silent_ok`` is False.
    """

    def __init__(self,
                 path: str,
                 audio: Optional[str] = None,
                 fps: float = 1.0,
                 silent_ok: bool = False) -> None:
        self.frames = FrameSource(path, fps)
        self.audio_file = _folder_audio(self.frames.path, audio) \
            if self.frames.frame_files is not None else None
        track = open_audio(self.frames, self.audio_file)
        self.has_audio = track is not None
        if not self.has_audio:
            if not silent_ok:
                raise NoAudioError(
                    f'{path} has no audio track; pass silent_ok=True '
                    '(--silent-ok) to segment it with silence.')
            track = silence(SILENCE_SAMPLE_RATE)
        self._audio = track
        self.sample_rate = track.sample_rate
        self.duration: Optional[float] = None
        self._sampler = SecondSampler(self.frames)

    def __iter__(self) -> Iterator[Tuple[np.ndarray, float, np.ndarray]]:
        if self._sampler is None:
            raise RuntimeError(f'{self.frames.path} was read already.')
        sampler, self._sampler = self._sampler, None
        for frame, time in sampler:
            yield frame, time, self._audio.read(self.sample_rate)
        self.duration = sampler.duration


def open_audio(source: FrameSource,
               audio_file: Optional[str] = None) -> Optional[AudioTrack]:
    """The audio of a video file (its first audio stream) or of a frame
    folder (``audio_file``, read whole); None without one."""
    if source.frame_files is None:
        return open_audio_track(source.path, source.start_time())
    if audio_file is None:
        return None
    waveform, rate = load_wav(audio_file)
    return AudioTrack([waveform], rate, waveform.shape[0])


def load_av_clip(path: str,
                 audio: Optional[str] = None,
                 fps: float = 1.0,
                 silent_ok: bool = False) -> AVClip:
    """Read a video (or a folder of frames plus a wav) whole, for
    inference: all of :class:`AVSeconds` (same arguments and errors).

    Returns:
        AVClip: The sampled frames and the audio of their seconds.
    """
    reader = AVSeconds(path, audio, fps, silent_ok)
    frames, times, waves = zip(*reader)
    return AVClip(reader.frames.path, list(frames), np.asarray(times),
                  reader.duration, reader.frames.fps,
                  np.concatenate(waves, axis=1), reader.sample_rate,
                  reader.has_audio, reader.audio_file)
