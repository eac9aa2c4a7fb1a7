# Copyright (c) mmavs contributors. All rights reserved.
"""Generic log-mel front-end of CAVP (per-frame windows, mono or stereo).

The spectrogram follows the official CAVP code (``preprocess_audio`` of its
trainers): ``torchaudio.transforms.MelSpectrogram(sample_rate=16000,
n_fft=512, win_length=400, hop_length=160, n_mels=64, f_min=125,
f_max=3800)`` (power spectrogram, centred frames with reflect padding,
periodic Hann window, HTK mel scale, no filter normalisation), the first
96 (1 s windows) or 300 (3 s windows) frames, ``20 * log10(max(1e-5, x))``
and a linear map of [-100, 100] dB to [-1, 1]. Each channel is processed
separately, so stereo input keeps its two channels.
"""
from functools import lru_cache
from typing import Optional, Sequence, Tuple

import torch
import torchaudio
import torchaudio.functional as AF
from torch import Tensor

#: Sample rate (Hz) of the front-end; other rates are resampled to it.
LOG_MEL_SAMPLE_RATE = 16000


@lru_cache(maxsize=8)
def _mel_transform(sample_rate: int, n_fft: int, win_length: int,
                   hop_length: int, n_mels: int, f_min: float,
                   f_max: float) -> torchaudio.transforms.MelSpectrogram:
    return torchaudio.transforms.MelSpectrogram(
        sample_rate=sample_rate,
        n_fft=n_fft,
        win_length=win_length,
        hop_length=hop_length,
        n_mels=n_mels,
        f_min=f_min,
        f_max=f_max)


def log_mel_db(signal: Tensor,
               sample_rate: int = LOG_MEL_SAMPLE_RATE,
               n_fft: int = 512,
               win_length: int = 400,
               hop_length: int = 160,
               n_mels: int = 64,
               f_min: float = 125.0,
               f_max: float = 3800.0,
               amin: float = 1e-5,
               db_range: Tuple[float, float] = (-100.0, 100.0),
               num_time_frames: Optional[int] = None) -> Tensor:
    """Normalised log-mel spectrogram (CAVP).

    Args:
        signal (Tensor): float32 samples with shape (..., L).
        sample_rate (int): Sample rate of ``signal``. Defaults to 16000.
        n_fft (int): FFT length. Defaults to 512.
        win_length (int): Window length in samples. Defaults to 400.
        hop_length (int): Hop in samples. Defaults to 160.
        n_mels (int): Mel bands. Defaults to 64.
        f_min (float): Lowest mel edge (Hz). Defaults to 125.0.
        f_max (float): Highest mel edge (Hz). Defaults to 3800.0.
        amin (float): Floor of the mel power before the log.
            Defaults to 1e-5.
        db_range (tuple[float, float]): dB values mapped to -1 and 1.
            Defaults to (-100.0, 100.0).
        num_time_frames (int, optional): Keep the first frames only.
            Defaults to None (all ``1 + L // hop_length``).

    Returns:
        Tensor: float32 with shape (..., frames, n_mels).
    """
    mel = _mel_transform(sample_rate, n_fft, win_length, hop_length, n_mels,
                         float(f_min), float(f_max))(signal.float())
    mel = mel[..., :num_time_frames].transpose(-1, -2)
    db = 20.0 * torch.log(mel.clamp(min=amin)) / torch.log(
        torch.tensor(10.0))
    low, high = db_range
    return 2.0 * (db - low) / float(high - low) - 1.0


def frame_windows(waveform: Tensor,
                  num_frames: int,
                  window_length: int,
                  frame_indices: Optional[Sequence[int]] = None) -> Tensor:
    """Cut the audio window of each video frame.

    The clip is split into ``num_frames`` equal segments; frame ``t``'s
    window has ``window_length`` samples centred on the centre of segment
    ``t``. Samples before the start or after the end are taken from the
    waveform repeated periodically, as CAVP repeats audio that is too short.
    For a clip of exactly ``num_frames`` seconds and 1 s windows, window
    ``t`` is second ``t``.

    Args:
        waveform (Tensor): Samples with shape (C, L).
        num_frames (int): Frames T of the whole clip.
        window_length (int): Samples per window.
        frame_indices (Sequence[int], optional): Frames to cut windows for.
            Defaults to None (all T).

    Returns:
        Tensor: Windows with shape (len(frame_indices), C, window_length).
    """
    num_samples = waveform.shape[-1]
    if frame_indices is None:
        frame_indices = range(num_frames)
    bad = [t for t in frame_indices if not 0 <= t < num_frames]
    if bad:
        raise ValueError(
            f'frame indices {bad} are outside [0, {num_frames}).')
    offsets = torch.arange(window_length)
    windows = []
    for t in frame_indices:
        start = round((t + 0.5) * num_samples / num_frames -
                      window_length / 2)
        windows.append(waveform[:, (start + offsets) % num_samples])
    return torch.stack(windows)


def cavp_crop_chunks(waveform: Tensor,
                     crop_length: int,
                     num_chunks: int,
                     frame_indices: Sequence[int]) -> Tensor:
    """The per-frame audio of the official CAVP loaders.

    ``crop_audio`` of cyh-0/CAVP: ``crop_length`` samples from
    ``L // 2 - crop_length // 2`` with Python slicing (a negative start
    counts from the end, so a clip shorter than the crop keeps only its
    tail from that point on), repeated periodically up to ``crop_length``
    if short; then the trainers' ``view(T, -1)``: ``num_chunks`` equal
    chunks, chunk ``t`` for frame ``t``.

    Args:
        waveform (Tensor): Samples with shape (C, L).
        crop_length (int): Samples of the crop (10 s in CAVP).
        num_chunks (int): Chunks of the crop (the loader's frame count:
            10 for AVSBench-Semantics, padded; 5 for AVSBench-Object).
        frame_indices (Sequence[int]): Frames (chunks) to return.

    Returns:
        Tensor: Chunks with shape (len(frame_indices), C,
        crop_length // num_chunks).
    """
    if crop_length % num_chunks:
        raise ValueError(f'a crop of {crop_length} samples does not split '
                         f'into {num_chunks} chunks.')
    bad = [t for t in frame_indices if not 0 <= t < num_chunks]
    if bad:
        raise ValueError(
            f'frame indices {bad} are outside [0, {num_chunks}).')
    start = waveform.shape[-1] // 2 - crop_length // 2
    crop = waveform[:, start:start + crop_length]
    if crop.shape[-1] != crop_length:
        repeats = crop_length // crop.shape[-1] + 1
        crop = crop.repeat(1, repeats)[:, :crop_length]
    chunks = crop.reshape(crop.shape[0], num_chunks, -1).transpose(0, 1)
    return chunks[list(frame_indices)]


def waveform_to_log_mel(waveform: Tensor,
                        sample_rate: int,
                        num_frames: int,
                        window_seconds: float = 1.0,
                        num_time_frames: Optional[int] = 96,
                        stereo: bool = False,
                        frame_indices: Optional[Sequence[int]] = None,
                        crop_seconds: Optional[float] = None,
                        num_chunks: Optional[int] = None,
                        **spec_kwargs) -> Tensor:
    """Per-frame log-mel spectrograms of a clip.

    Steps: mix to mono (channel mean, as CAVP) unless ``stereo``; resample to
    16 kHz; cut each frame's window (:func:`frame_windows`; with
    ``crop_seconds``, the official CAVP chunks of :func:`cavp_crop_chunks`
    instead, ``window_seconds`` unused); compute :func:`log_mel_db` of every
    window and channel.

    Args:
        waveform (Tensor): float samples with shape (C, L).
        sample_rate (int): Sample rate of ``waveform`` in Hz.
        num_frames (int): Frames T of the whole clip.
        window_seconds (float): Window per frame: 1.0 (AVSBench) or 3.0
            (VPO). Defaults to 1.0.
        num_time_frames (int, optional): Spectrogram frames kept per window
            (CAVP: 96 for 1 s, 300 for 3 s). Defaults to 96.
        stereo (bool): Keep two channels; the waveform must have exactly 2.
            Defaults to False (mono).
        frame_indices (Sequence[int], optional): Frames to compute.
            Defaults to None (all T).
        crop_seconds (float, optional): Official CAVP crop (10.0).
            Defaults to None (centred windows).
        num_chunks (int, optional): Chunks of the crop. Defaults to None
            (``num_frames``).
        **spec_kwargs: Other arguments of :func:`log_mel_db`.

    Returns:
        Tensor: float32 with shape (T', C, num_time_frames, n_mels), C = 2 if
        ``stereo`` else 1.

    Raises:
        ValueError: Bad shape or channel count, or non-finite samples.
    """
    if waveform.dim() != 2:
        raise ValueError('waveform must have shape (C, L), got '
                         f'{tuple(waveform.shape)}.')
    if stereo and waveform.shape[0] != 2:
        raise ValueError('stereo log-mel needs a 2-channel waveform, got '
                         f'{waveform.shape[0]} channel(s).')
    if not bool(torch.isfinite(waveform).all()):
        raise ValueError('waveform contains NaN or infinite samples.')
    signal = waveform.float() if stereo else waveform.float().mean(
        0, keepdim=True)
    if sample_rate != LOG_MEL_SAMPLE_RATE:
        signal = AF.resample(signal, int(sample_rate), LOG_MEL_SAMPLE_RATE)
    if crop_seconds is not None:
        windows = cavp_crop_chunks(
            signal, int(round(crop_seconds * LOG_MEL_SAMPLE_RATE)),
            num_chunks or num_frames,
            range(num_frames) if frame_indices is None else frame_indices)
    else:
        window_length = int(round(window_seconds * LOG_MEL_SAMPLE_RATE))
        windows = frame_windows(signal, num_frames, window_length,
                                frame_indices)
    return log_mel_db(
        windows, num_time_frames=num_time_frames,
        **spec_kwargs).contiguous()
