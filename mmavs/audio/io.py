# Copyright (c) mmavs contributors. All rights reserved.
"""Waveform file I/O."""
import os
import struct
from typing import Optional, Tuple, Union

import numpy as np
import soundfile as sf

#: 16-bit PCM samples are divided by this, as in the VGGish reference
#: (``wav_data / 32768.0``), so 16384 reads as exactly 0.5.
INT16_SCALE = 32768.0


class AudioDecodeError(ValueError):
    """An audio file exists but its contents could not be decoded."""


def require_finite(values: np.ndarray, source: str, what: str) -> None:
    """Raise a ValueError naming ``source`` if ``values`` holds NaN or
    infinite entries.

    Args:
        values (np.ndarray | Tensor): Any array.
        source (str): The file the values come from.
        what (str): What they are (``'samples'``, ``'log-mel values'``).
    """
    bad = int(np.size(values) - np.isfinite(np.asarray(values)).sum())
    if bad:
        raise ValueError(f'{source}: {bad} of {np.size(values)} {what} are '
                         'NaN or infinite.')


def _wav_data_chunk(path: str) -> Optional[Tuple[int, int]]:
    """Offset and declared size of the ``data`` chunk of a RIFF/WAVE file;
    None for other formats, a wav without one (soundfile reports it) and
    the 0 / 0xFFFFFFFF size of a streamed wav."""
    with open(path, 'rb') as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b'RIFF' or head[8:] != b'WAVE':
            return None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                return None
            name, size = struct.unpack('<4sI', chunk)
            if name == b'data':
                return (f.tell(), size) if 0 < size < 0xFFFFFFFF else None
            f.seek(size + size % 2, os.SEEK_CUR)  # chunks are word-aligned


def check_wav_length(path: str) -> None:
    """Raise :class:`AudioDecodeError` if a wav holds fewer bytes of audio
    than its header declares (a truncated download or copy).

    Args:
        path (str): Path of the audio file; non-wav files pass.
    """
    chunk = _wav_data_chunk(path)
    if chunk is None:
        return
    offset, declared = chunk
    available = os.path.getsize(path) - offset
    if available < declared:
        raise AudioDecodeError(
            f'Audio file is truncated: {path} (its header declares '
            f'{declared} bytes of audio data, the file holds {available}).')


def load_wav(path: Union[str, os.PathLike]) -> Tuple[np.ndarray, int]:
    """Read an audio file (wav, flac, ...) with :mod:`soundfile`.

    16-bit PCM files are read as int16 and scaled by ``1 / 32768`` exactly
    like the VGGish / AVSBench reference; every other subtype (24/32-bit PCM,
    float, double, ...) is decoded by soundfile to float32 in [-1, 1].

    Args:
        path (str | os.PathLike): Path of the audio file.

    Returns:
        tuple[np.ndarray, int]: The waveform, a C-contiguous float32 array
        with shape (C, L) (channels first, C >= 1), and the file's sample rate
        in Hz.

    Raises:
        FileNotFoundError: ``path`` does not exist or is not a file.
        AudioDecodeError: The file could not be decoded as audio, or a wav
            holds less audio data than its header declares.
        ValueError: The file decodes to zero samples, or to NaN or infinite
            samples.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'Audio file not found: {path}')
    check_wav_length(path)
    try:
        info = sf.info(path)
        dtype = 'int16' if info.subtype == 'PCM_16' else 'float32'
        data, sample_rate = sf.read(path, dtype=dtype, always_2d=True)
    except (RuntimeError, sf.SoundFileError) as err:
        raise AudioDecodeError(
            f'Audio file could not be decoded: {path} ({err})') from err
    if data.shape[0] == 0:
        raise ValueError(f'Audio file contains no samples: {path}')
    # soundfile returns (L, C); mmavs uses channels first (C, L)
    waveform = np.ascontiguousarray(data.T)
    if dtype == 'int16':
        waveform = waveform.astype(np.float32) / np.float32(INT16_SCALE)
    require_finite(waveform, path, 'samples')
    return waveform, int(sample_rate)
