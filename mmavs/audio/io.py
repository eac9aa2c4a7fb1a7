# Copyright (c) mmavs contributors. All rights reserved.
"""Waveform file I/O."""
import os
from typing import Tuple, Union

import numpy as np
import soundfile as sf

#: 16-bit PCM samples are divided by this, as in the VGGish reference
#: (``wav_data / 32768.0``), so 16384 reads as exactly 0.5.
INT16_SCALE = 32768.0


class AudioDecodeError(ValueError):
    """An audio file exists but its contents could not be decoded."""


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
        AudioDecodeError: The file could not be decoded as audio.
        ValueError: The file decodes to zero samples.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f'Audio file not found: {path}')
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
    return waveform, int(sample_rate)
