# Copyright (c) mmavs contributors. All rights reserved.
"""VGGish log-mel front-end.

A torch re-implementation of the reference VGGish input pipeline
(``vggish_input.waveform_to_examples`` and ``mel_features`` of
`torchvggish <https://github.com/harritaylor/torchvggish>`_ / TF-Models
``research/audioset/vggish``), which AVSBench uses to precompute its audio
inputs. Every step matches the reference; only the resampler differs
(:func:`torchaudio.functional.resample` instead of ``resampy``), so 16 kHz
input reproduces the reference log-mel to float64 round-off. All spectral
computation runs in float64; the result is float32.
"""
from functools import lru_cache
from typing import Optional, Union

import numpy as np
import torch
import torchaudio.functional as AF
from torch import Tensor

#: Sample rate (Hz) VGGish works at; other rates are resampled to it.
VGGISH_SAMPLE_RATE = 16000
#: STFT window length in samples (25 ms at 16 kHz).
STFT_WINDOW_LENGTH = 400
#: STFT hop length in samples (10 ms at 16 kHz).
STFT_HOP_LENGTH = 160
#: FFT length: the smallest power of two >= ``STFT_WINDOW_LENGTH``.
FFT_LENGTH = 512
#: Number of mel bands.
NUM_MEL_BINS = 64
#: Lower / upper edge of the mel filterbank in Hz.
MEL_MIN_HZ = 125.0
MEL_MAX_HZ = 7500.0
#: Added to the mel energies before the log, so silence gives log(0.01).
LOG_OFFSET = 0.01
#: STFT frames per example (0.96 s); examples do not overlap.
EXAMPLE_NUM_FRAMES = 96

# HTK mel scale: mel = 1127 * ln(1 + f / 700)
_MEL_BREAK_FREQUENCY_HZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0

ArrayLike = Union[np.ndarray, Tensor]


def frame(data: Tensor, window_length: int, hop_length: int) -> Tensor:
    """Cut a signal into (possibly overlapping) frames along its first axis.

    As in the reference, there is no padding: a trailing part shorter than a
    window is dropped, so ``num_frames = 1 + (L - window_length) //
    hop_length``.

    Args:
        data (Tensor): Signal with shape (L, ...).
        window_length (int): Samples per frame.
        hop_length (int): Advance between frame starts, in samples.

    Returns:
        Tensor: Frames with shape (num_frames, window_length, ...); a view
        of ``data``.

    Raises:
        ValueError: ``data`` is shorter than one window.
    """
    num_samples = data.shape[0]
    if num_samples < window_length:
        raise ValueError(f'Cannot frame a signal of {num_samples} samples '
                         f'with windows of {window_length} samples.')
    # unfold appends the window axis last: (num_frames, ..., window_length)
    return data.unfold(0, window_length, hop_length).movedim(-1, 1)


def periodic_hann(window_length: int,
                  dtype: torch.dtype = torch.float64) -> Tensor:
    """Periodic Hann window ``0.5 - 0.5 * cos(2 * pi * n / N)``.

    It is the first N points of an (N + 1)-point symmetric Hann window, the
    form used by the reference (``np.hanning`` is the symmetric one).

    Args:
        window_length (int): N, the window length in samples.
        dtype (torch.dtype): Output dtype. Defaults to torch.float64.

    Returns:
        Tensor: The window, with shape (N, ).
    """
    n = torch.arange(window_length, dtype=torch.float64)
    window = 0.5 - 0.5 * torch.cos(2 * torch.pi / window_length * n)
    return window.to(dtype)


def stft_magnitude(signal: Tensor,
                   fft_length: int = FFT_LENGTH,
                   hop_length: int = STFT_HOP_LENGTH,
                   window_length: int = STFT_WINDOW_LENGTH) -> Tensor:
    """Magnitude of the short-time Fourier transform, reference style.

    Frames of ``window_length`` samples (no centring or padding) are
    multiplied by a periodic Hann window and zero-padded at the end to
    ``fft_length`` before the real FFT. (``torch.stft`` would centre a short
    window inside the FFT frame instead, which differs.)

    Args:
        signal (Tensor): Mono signal with shape (L, ).
        fft_length (int): FFT length. Defaults to 512.
        hop_length (int): Hop in samples. Defaults to 160.
        window_length (int): Window in samples. Defaults to 400.

    Returns:
        Tensor: Magnitudes with shape (num_frames, fft_length // 2 + 1).
    """
    frames = frame(signal, window_length, hop_length)
    window = periodic_hann(window_length, dtype=signal.dtype)
    window = window.to(signal.device)
    return torch.fft.rfft(frames * window, n=fft_length).abs()


def hertz_to_mel(frequencies_hz: Union[float, np.ndarray]) -> np.ndarray:
    """Convert Hz to HTK mel: ``1127 * ln(1 + f / 700)``.

    Args:
        frequencies_hz (float | np.ndarray): Frequencies in Hz.

    Returns:
        np.ndarray: The frequencies on the mel scale, same shape.
    """
    return _MEL_HIGH_FREQUENCY_Q * np.log(
        1.0 + np.asarray(frequencies_hz, dtype=np.float64) /
        _MEL_BREAK_FREQUENCY_HZ)


@lru_cache(maxsize=16)
def _cached_mel_matrix(num_mel_bins: int, num_spectrogram_bins: int,
                       sample_rate: int, lower_edge_hz: float,
                       upper_edge_hz: float) -> Tensor:
    """Build the HTK mel matrix once per argument set (it is constant)."""
    nyquist_hz = sample_rate / 2.0
    if not 0.0 <= lower_edge_hz < upper_edge_hz <= nyquist_hz:
        raise ValueError(
            'Mel filterbank edges must satisfy 0 <= lower_edge_hz < '
            f'upper_edge_hz <= Nyquist ({nyquist_hz} Hz); got '
            f'lower_edge_hz={lower_edge_hz}, upper_edge_hz={upper_edge_hz}.')
    # (num_spectrogram_bins, 1): centre frequency of every FFT bin, in mel
    bins_mel = hertz_to_mel(np.linspace(0.0, nyquist_hz,
                                        num_spectrogram_bins))[:, None]
    # num_mel_bins + 2 equally spaced edges; band i spans edges i .. i + 2
    edges_mel = np.linspace(
        hertz_to_mel(lower_edge_hz), hertz_to_mel(upper_edge_hz),
        num_mel_bins + 2)
    lower, center, upper = edges_mel[:-2], edges_mel[1:-1], edges_mel[2:]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    # the reference gives the DC bin no weight in any band
    weights[0, :] = 0.0
    return torch.from_numpy(weights)


def htk_mel_matrix(num_mel_bins: int = NUM_MEL_BINS,
                   num_spectrogram_bins: int = FFT_LENGTH // 2 + 1,
                   sample_rate: int = VGGISH_SAMPLE_RATE,
                   lower_edge_hz: float = MEL_MIN_HZ,
                   upper_edge_hz: float = MEL_MAX_HZ) -> Tensor:
    """Matrix that maps linear-frequency magnitudes to HTK mel bands.

    Band ``i`` is a triangle on the mel scale with edges ``i``, ``i + 1``,
    ``i + 2`` of ``num_mel_bins + 2`` points spaced evenly between the mel
    values of ``lower_edge_hz`` and ``upper_edge_hz``; spectrogram bin ``k``
    sits at ``k * (sample_rate / 2) / (num_spectrogram_bins - 1)`` Hz; the
    weight is ``max(0, min(rising_slope, falling_slope))`` (so at most 1),
    and the DC row is zero. The matrix is built once per argument set and
    cached; this returns a copy.

    Args:
        num_mel_bins (int): Number of mel bands. Defaults to 64.
        num_spectrogram_bins (int): FFT bins, ``fft_length // 2 + 1``.
            Defaults to 257.
        sample_rate (int): Sample rate in Hz. Defaults to 16000.
        lower_edge_hz (float): Lower edge of the lowest band. Defaults to
            125.0.
        upper_edge_hz (float): Upper edge of the highest band. Defaults to
            7500.0.

    Returns:
        Tensor: float64 weights with shape (num_spectrogram_bins,
        num_mel_bins).
    """
    return _cached_mel_matrix(num_mel_bins, num_spectrogram_bins,
                              sample_rate, float(lower_edge_hz),
                              float(upper_edge_hz)).clone()


def log_mel_spectrogram(waveform: Tensor) -> Tensor:
    """VGGish log-mel spectrogram of a mono 16 kHz signal.

    Args:
        waveform (Tensor): float64 signal at 16 kHz with shape (L, ),
            ``L >= 400``.

    Returns:
        Tensor: ``log(mel + 0.01)`` with shape (num_frames, 64), where
        ``num_frames = 1 + (L - 400) // 160``.
    """
    spectrogram = stft_magnitude(waveform)
    mel_matrix = _cached_mel_matrix(NUM_MEL_BINS, spectrogram.shape[1],
                                    VGGISH_SAMPLE_RATE, MEL_MIN_HZ,
                                    MEL_MAX_HZ)
    mel = spectrogram @ mel_matrix.to(spectrogram)
    return torch.log(mel + LOG_OFFSET)


def pad_or_cut_examples(examples: Tensor, num_examples: int) -> Tensor:
    """Give a stack of examples exactly ``num_examples`` entries.

    As in the official AVSBench preprocessing, missing examples are filled by
    repeating the last one; extra ones are dropped from the end.

    Args:
        examples (Tensor): Examples with shape (N, ...), N >= 1.
        num_examples (int): Wanted number T of examples, T >= 1.

    Returns:
        Tensor: Examples with shape (T, ...); ``examples`` itself if N == T.

    Raises:
        ValueError: N or T is smaller than 1.
    """
    if num_examples < 1:
        raise ValueError(f'num_examples must be >= 1, got {num_examples}.')
    num_have = examples.shape[0]
    if num_have == 0:
        raise ValueError('Cannot pad zero examples to num_examples='
                         f'{num_examples}: padding repeats the last example, '
                         'so at least one example is needed.')
    if num_have >= num_examples:
        return examples[:num_examples]
    repeats = examples[-1:].expand(num_examples - num_have,
                                   *examples.shape[1:])
    return torch.cat([examples, repeats], dim=0)


def _to_float64_tensor(waveform: ArrayLike) -> Tensor:
    """Convert a numpy / torch waveform to a float64 tensor.

    int16 input is scaled by 1 / 32768 like 16-bit PCM; other integer or
    boolean dtypes are refused because their scale is unknown.
    """
    if isinstance(waveform, np.ndarray):
        waveform = torch.from_numpy(np.ascontiguousarray(waveform))
    elif not isinstance(waveform, Tensor):
        raise TypeError('waveform must be a numpy array or a torch Tensor, '
                        f'got {type(waveform).__name__}.')
    waveform = waveform.detach()
    if waveform.dtype == torch.int16:
        return waveform.to(torch.float64) / 32768.0
    if not (waveform.is_floating_point()):
        raise TypeError('waveform must have a floating-point or int16 '
                        f'dtype, got {waveform.dtype}.')
    return waveform.to(torch.float64)


def _to_mono(waveform: Tensor) -> Tensor:
    """Average a (L, ) or channels-first (C, L) waveform to (L, )."""
    if waveform.ndim == 1:
        return waveform
    if waveform.ndim != 2:
        raise ValueError('waveform must have shape (L,) or (C, L), got '
                         f'{tuple(waveform.shape)}.')
    num_channels, num_samples = waveform.shape
    if num_channels > num_samples:
        raise ValueError(
            'waveform must be channels-first (C, L), but shape '
            f'{tuple(waveform.shape)} has more channels than samples; '
            'transpose an (L, C) array (e.g. from soundfile.read).')
    return waveform.mean(dim=0)


def waveform_to_vggish_examples(waveform: ArrayLike,
                                sample_rate: int,
                                num_examples: Optional[int] = None) -> Tensor:
    """Convert a waveform to VGGish log-mel examples.

    Steps (the VGGish reference): average channels to mono; resample to
    16 kHz; STFT magnitude with a 400-sample periodic Hann window, hop 160,
    FFT length 512; 64 HTK mel bands over 125-7500 Hz; ``log(mel + 0.01)``;
    split into non-overlapping 96-frame (0.96 s) examples, dropping a
    trailing partial one. A 5 s clip gives 498 frames, i.e. 5 examples.

    Args:
        waveform (np.ndarray | Tensor): Samples in [-1, 1] with shape (L, )
            or channels first (C, L). Floating-point dtypes are used as they
            are; int16 is scaled by 1 / 32768. A torch tensor is processed
            on its device.
        sample_rate (int): Sample rate of ``waveform`` in Hz.
        num_examples (int, optional): If given, return exactly this many
            examples: fewer are padded by repeating the last one (as the
            official AVSBench preprocessing does), more are cut to the first
            ``num_examples``. Defaults to None (keep all).

    Returns:
        Tensor: float32 log-mel examples with shape (N, 1, 96, 64), N being
        ``num_examples`` if given.

    Raises:
        ValueError: Bad shape or sample rate, non-finite samples, or a
            waveform too short for one STFT frame (400 samples at 16 kHz) or
            for one 96-frame example (15600 samples at 16 kHz, 0.975 s); the
            latter also with ``num_examples`` set, because padding by
            repetition needs at least one example.
        TypeError: Unsupported input type or dtype.
    """
    if int(sample_rate) != sample_rate or sample_rate <= 0:
        raise ValueError(
            f'sample_rate must be a positive integer, got {sample_rate}.')
    if num_examples is not None and num_examples < 1:
        raise ValueError(f'num_examples must be >= 1, got {num_examples}.')
    signal = _to_mono(_to_float64_tensor(waveform))
    if not bool(torch.isfinite(signal).all()):
        raise ValueError('waveform contains NaN or infinite samples.')
    if sample_rate != VGGISH_SAMPLE_RATE:
        signal = AF.resample(signal, int(sample_rate), VGGISH_SAMPLE_RATE)
    num_samples = signal.shape[0]
    if num_samples < STFT_WINDOW_LENGTH:
        raise ValueError(
            f'waveform is too short for one STFT frame: {num_samples} '
            f'samples at {VGGISH_SAMPLE_RATE} Hz, need at least '
            f'{STFT_WINDOW_LENGTH}.')
    log_mel = log_mel_spectrogram(signal)
    if log_mel.shape[0] < EXAMPLE_NUM_FRAMES:
        min_samples = (STFT_WINDOW_LENGTH +
                       (EXAMPLE_NUM_FRAMES - 1) * STFT_HOP_LENGTH)
        hint = ('' if num_examples is None else
                f' Padding to num_examples={num_examples} repeats the last '
                'example, so at least one full example is needed.')
        raise ValueError(
            'waveform is too short for one VGGish example: '
            f'{log_mel.shape[0]} STFT frames ({num_samples} samples at '
            f'{VGGISH_SAMPLE_RATE} Hz), need {EXAMPLE_NUM_FRAMES} frames '
            f'({min_samples} samples, {min_samples / VGGISH_SAMPLE_RATE} s).'
            + hint)
    # (N, 96, 64) -> (N, 1, 96, 64)
    examples = frame(log_mel, EXAMPLE_NUM_FRAMES, EXAMPLE_NUM_FRAMES)
    examples = examples.unsqueeze(1)
    if num_examples is not None:
        examples = pad_or_cut_examples(examples, num_examples)
    return examples.to(torch.float32).contiguous()
