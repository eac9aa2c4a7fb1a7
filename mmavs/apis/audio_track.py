# Copyright (c) mmavs contributors. All rights reserved.
"""An audio track read in order, a block at a time, so that only the blocks
not read yet are held (one decoded block at most), and the audio stream of
a video file decoded that way."""
from typing import Iterable, Iterator, List, Optional

import av
import numpy as np

from .av_file import VideoDecodeError, open_video_file


class AudioTrack:
    """A waveform read front to back.

    Args:
        blocks (Iterable[np.ndarray]): float32 (C, n) blocks in time order,
            sample 0 of the first at time 0.
        sample_rate (int): Sample rate in Hz.
        num_channels (int): Channels C.
    """

    def __init__(self, blocks: Iterable[np.ndarray], sample_rate: int,
                 num_channels: int) -> None:
        self.sample_rate = int(sample_rate)
        self.num_channels = num_channels
        self._blocks = iter(blocks)
        self._pending: List[np.ndarray] = []
        self._num_pending = 0

    def read(self, num_samples: int, pad: bool = True) -> np.ndarray:
        """The next ``num_samples`` samples: float32 (C, num_samples),
        zero-padded past the end of the track if ``pad``, else shorter
        there."""
        while self._num_pending < num_samples:
            block = next(self._blocks, None)
            if block is None:
                break
            self._pending.append(block)
            self._num_pending += block.shape[1]
        if self._pending:
            data = np.concatenate(self._pending, axis=1)
        else:
            data = np.zeros((self.num_channels, 0), np.float32)
        out, rest = data[:, :num_samples], data[:, num_samples:]
        self._pending = [rest] if rest.shape[1] else []
        self._num_pending = rest.shape[1]
        if pad and out.shape[1] < num_samples:
            out = np.pad(out, ((0, 0), (0, num_samples - out.shape[1])))
        return np.ascontiguousarray(out, dtype=np.float32)


def silence(sample_rate: int) -> AudioTrack:
    """A mono track of zeros, as long as it is read."""
    return AudioTrack((), sample_rate, 1)


def shift_blocks(blocks: Iterable[np.ndarray],
                 shift: int) -> Iterator[np.ndarray]:
    """Delay blocks of C channels by ``shift`` samples (zeros first), or
    drop their first ``-shift`` samples."""
    for block in blocks:
        if shift > 0:
            yield np.zeros((block.shape[0], shift), np.float32)
            shift = 0
        elif shift < 0:
            cut = min(-shift, block.shape[1])
            block, shift = block[:, cut:], shift + cut
        if block.shape[1]:
            yield block


def open_audio_track(path: str, video_start: float) -> Optional[AudioTrack]:
    """The first audio stream of a video file, decoded as it is read
    (planar float32).

    Args:
        path (str): Video file.
        video_start (float): Time of the first video frame (s); the audio is
            shifted so that its sample 0 is at that time (zeros before an
            audio stream that starts later, earlier samples dropped).

    Returns:
        AudioTrack | None: The track, or None when the file has no audio
        stream (or an empty one).
    """
    blocks = _decode_audio(path)
    head = next(blocks, None)
    first = next(blocks, None)
    if first is None:
        return None
    start, rate = head
    shift = int(round((start - video_start) * rate))
    return AudioTrack(
        shift_blocks(_chain(first, blocks), shift), rate, first.shape[0])


def _chain(first: np.ndarray,
           rest: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    yield first
    yield from rest


def _decode_audio(path: str) -> Iterator:
    """The (time, sample rate) of the first audio frame of a video file,
    then its float32 (C, n) blocks; nothing without an audio stream."""
    with open_video_file(path) as container:
        if not container.streams.audio:
            return
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format='fltp')  # planar float32
        try:
            for i, frame in enumerate(container.decode(stream)):
                if i == 0:
                    yield frame.time or 0.0, frame.sample_rate
                for out in resampler.resample(frame):
                    yield out.to_ndarray()
            for out in resampler.resample(None):
                yield out.to_ndarray()
        except av.FFmpegError as err:
            raise VideoDecodeError(
                f'Cannot decode the audio stream of {path}: {err}') from err
