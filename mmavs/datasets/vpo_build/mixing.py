# Copyright (c) mmavs contributors. All rights reserved.
"""Audio of a VPO sample: fixed-length mono clips, stereo panning by the
object's mask centroid, summation and clipping-safe normalisation."""
import io
from typing import Sequence, Tuple

import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF

from mmavs.audio import load_wav
from mmavs.audio.io import INT16_SCALE

#: Largest amplitude a 16-bit PCM file holds (32767 / 32768).
FULL_SCALE = np.iinfo(np.int16).max / INT16_SCALE


def load_clip(path: str, sample_rate: int, num_samples: int) -> np.ndarray:
    """Read an audio file as a mono clip of a fixed length.

    Channels are averaged, the clip is resampled to ``sample_rate`` and cut
    to, or zero-padded at the end to, ``num_samples``.

    Returns:
        np.ndarray: float32 samples with shape (num_samples, ).
    """
    waveform, rate = load_wav(path)
    mono = torch.from_numpy(waveform.astype(np.float64).mean(axis=0))
    if rate != sample_rate:
        mono = AF.resample(mono, rate, sample_rate)
    clip = np.zeros(num_samples, dtype=np.float32)
    n = min(num_samples, mono.shape[0])
    clip[:n] = mono[:n].numpy()
    return clip


def mask_centroid(mask: np.ndarray) -> Tuple[float, float]:
    """Centre of mass ``(c_w, c_h)`` of a binary (H, W) mask, in pixels
    from the top-left image corner (pixel ``j`` spans ``[j, j + 1)``)."""
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        raise ValueError('The mask is empty; it has no centroid.')
    return float(xs.mean() + 0.5), float(ys.mean() + 0.5)


def pan_gains(c_w: float, width: int) -> Tuple[float, float]:
    """Stereo gains of a source centred at ``c_w`` in an image ``width``
    pixels wide: ``alpha = c_w / W``, left ``1 - alpha``, right ``alpha``.
    """
    alpha = c_w / width
    return 1.0 - alpha, alpha


def mix_sources(clips: Sequence[np.ndarray],
                gains: Sequence[Tuple[float, float]]
                ) -> Tuple[np.ndarray, float]:
    """Pan and sum sources, then scale down if the sum would clip.

    Args:
        clips (Sequence[np.ndarray]): K mono clips of shape (L, ).
        gains (Sequence[tuple[float, float]]): K (left, right) gains.

    Returns:
        tuple[np.ndarray, float]: The float32 stereo mix with shape (2, L)
        and peak <= :data:`FULL_SCALE`, and the normalisation gain applied
        to the sum (1 when it does not clip).
    """
    stereo = np.zeros((2, len(clips[0])), dtype=np.float64)
    for clip, (left, right) in zip(clips, gains):
        stereo += np.outer([left, right], clip)
    peak = float(np.abs(stereo).max())
    norm_gain = FULL_SCALE / peak if peak > FULL_SCALE else 1.0
    return (stereo * norm_gain).astype(np.float32), norm_gain


def encode_wav(waveform: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM wav bytes of a (C, L) waveform in [-1, 1], quantised
    with the scale :func:`mmavs.audio.load_wav` reads back."""
    pcm = np.clip(np.round(waveform * INT16_SCALE), -INT16_SCALE,
                  INT16_SCALE - 1).astype(np.int16)
    buf = io.BytesIO()
    sf.write(buf, pcm.T, sample_rate, format='WAV', subtype='PCM_16')
    return buf.getvalue()
