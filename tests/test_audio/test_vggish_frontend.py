# Copyright (c) mmavs contributors. All rights reserved.
import math

import numpy as np
import pytest
import torch

from mmavs.audio import (frame, htk_mel_matrix, pad_or_cut_examples,
                         periodic_hann, stft_magnitude,
                         waveform_to_vggish_examples)
from mmavs.audio.vggish_frontend import _cached_mel_matrix

SR = 16000


# --------------------------------------------------------------------------
# Plain-numpy reference, written step by step after the published
# torchvggish ``mel_features.py`` / ``vggish_input.py`` algorithm.
# --------------------------------------------------------------------------
def ref_frame(data, window_length, hop_length):
    num_frames = 1 + (data.shape[0] - window_length) // hop_length
    out = np.empty((num_frames, window_length) + data.shape[1:], data.dtype)
    for i in range(num_frames):
        out[i] = data[i * hop_length:i * hop_length + window_length]
    return out


def ref_hertz_to_mel(hz):
    return 1127.0 * np.log(1.0 + hz / 700.0)


def ref_mel_matrix(num_mel_bins=64, num_spectrogram_bins=257,
                   sample_rate=16000, lower_hz=125.0, upper_hz=7500.0):
    nyquist = sample_rate / 2.0
    bins_mel = ref_hertz_to_mel(np.linspace(0.0, nyquist,
                                            num_spectrogram_bins))
    edges = np.linspace(ref_hertz_to_mel(lower_hz), ref_hertz_to_mel(upper_hz),
                        num_mel_bins + 2)
    weights = np.empty((num_spectrogram_bins, num_mel_bins))
    for i in range(num_mel_bins):
        lower, center, upper = edges[i:i + 3]
        lower_slope = (bins_mel - lower) / (center - lower)
        upper_slope = (upper - bins_mel) / (upper - center)
        weights[:, i] = np.maximum(0.0, np.minimum(lower_slope, upper_slope))
    weights[0, :] = 0.0
    return weights


def ref_log_mel_examples(data):
    """``data``: 16 kHz float64, shape (L,) or (L, C) as in the reference."""
    if data.ndim > 1:
        data = np.mean(data, axis=1)
    window_length, hop_length = 400, 160
    fft_length = 2**int(np.ceil(np.log(window_length) / np.log(2.0)))
    assert fft_length == 512
    frames = ref_frame(data, window_length, hop_length)
    n = np.arange(window_length)
    window = 0.5 - (0.5 * np.cos(2 * np.pi / window_length * n))
    spectrogram = np.abs(np.fft.rfft(frames * window, fft_length))
    mel = np.dot(spectrogram,
                 ref_mel_matrix(num_spectrogram_bins=spectrogram.shape[1]))
    log_mel = np.log(mel + 0.01)
    return ref_frame(log_mel, 96, 96)[:, None]


def _time(num_samples, sample_rate=SR):
    return np.arange(num_samples) / sample_rate


def _sine(freq, seconds, sample_rate=SR, amp=0.5):
    return amp * np.sin(2 * np.pi * freq *
                        _time(int(seconds * sample_rate), sample_rate))


def _chirp(seconds, f0=100.0, f1=7000.0):
    t = _time(int(seconds * SR))
    return 0.4 * np.sin(2 * np.pi * (f0 * t + (f1 - f0) / (2 * seconds) *
                                     t**2))


def _signals():
    rng = np.random.default_rng(0)
    noise = rng.uniform(-0.8, 0.8, size=5 * SR)
    return {
        'sine': (_sine(440.0, 5.0), _sine(440.0, 5.0)),
        'noise': (noise, noise),
        'chirp': (_chirp(5.0), _chirp(5.0)),
        # ours takes (C, L), the reference (L, C)
        'stereo': (np.stack([_sine(300.0, 5.0), noise * 0.3]),
                   np.stack([_sine(300.0, 5.0), noise * 0.3], axis=1)),
    }


@pytest.mark.parametrize('name', ['sine', 'noise', 'chirp', 'stereo'])
def test_matches_numpy_reference(name):
    ours_in, ref_in = _signals()[name]
    out = waveform_to_vggish_examples(ours_in, SR)
    ref = ref_log_mel_examples(ref_in)
    assert out.dtype == torch.float32
    assert out.shape == ref.shape == (5, 1, 96, 64)
    assert np.abs(out.numpy() - ref).max() < 1e-4


def test_mel_matrix_matches_reference_loop():
    ours = htk_mel_matrix()
    assert ours.shape == (257, 64) and ours.dtype == torch.float64
    np.testing.assert_allclose(ours.numpy(), ref_mel_matrix(), atol=1e-12)


def test_mel_matrix_facts():
    weights = htk_mel_matrix().numpy()
    assert np.all(weights[0] == 0.0)  # DC row
    assert np.all(weights >= 0.0)
    peaks = weights.max(axis=0)
    assert np.all(peaks <= 1.0) and np.all(peaks > 0.5)
    # 7500 Hz is bin 240 (31.25 Hz per bin): nothing above it has weight
    assert np.all(weights[241:] == 0.0) and weights[239].sum() > 0.0
    # 125 Hz is bin 4: nothing at or below it has weight
    assert np.all(weights[:5] == 0.0) and weights[5, 0] > 0.0


def test_mel_matrix_is_cached_and_copied():
    _cached_mel_matrix.cache_clear()
    first = htk_mel_matrix()
    first.fill_(7.0)  # mutating the returned copy must not touch the cache
    second = htk_mel_matrix()
    info = _cached_mel_matrix.cache_info()
    assert info.misses == 1 and info.hits == 1
    assert second[0].abs().sum() == 0.0
    waveform_to_vggish_examples(np.zeros(SR), SR)
    assert _cached_mel_matrix.cache_info().misses == 1


def test_mel_matrix_bad_edges():
    with pytest.raises(ValueError, match='Nyquist'):
        htk_mel_matrix(sample_rate=8000, upper_edge_hz=7500.0)
    with pytest.raises(ValueError, match='lower_edge_hz'):
        htk_mel_matrix(lower_edge_hz=500.0, upper_edge_hz=400.0)


def test_frame_counts_and_values():
    signal = torch.arange(80000, dtype=torch.float64)
    frames = frame(signal, 400, 160)
    assert frames.shape == (498, 400)
    assert frames[1, 0] == 160 and frames[-1, -1] == 497 * 160 + 399
    assert stft_magnitude(signal).shape == (498, 257)
    feats = torch.arange(10 * 3).reshape(10, 3)
    windows = frame(feats, 4, 4)
    assert windows.shape == (2, 4, 3)
    assert torch.equal(windows[1], feats[4:8])
    with pytest.raises(ValueError, match='399 samples'):
        frame(torch.zeros(399), 400, 160)


def test_periodic_hann():
    window = periodic_hann(400)
    assert window.shape == (400, )
    assert window[0] == 0.0
    assert window[200] == pytest.approx(1.0, abs=1e-15)
    assert window[100] == pytest.approx(0.5, abs=1e-15)
    # periodic: w[n] == w[N - n], and no trailing zero
    assert torch.allclose(window[1:], window[1:].flip(0), atol=1e-15)
    assert window[-1] > 0.0


def test_five_seconds_gives_five_examples():
    assert waveform_to_vggish_examples(np.zeros(80000), SR).shape == \
        (5, 1, 96, 64)
    # boundary: 15600 samples are exactly 96 frames, one example
    assert waveform_to_vggish_examples(np.zeros(15600), SR).shape[0] == 1


def test_silence_gives_log_offset():
    out = waveform_to_vggish_examples(np.zeros((2, 2 * SR)), SR)
    assert out.shape == (2, 1, 96, 64)
    assert torch.all(out == torch.tensor(math.log(0.01), dtype=torch.float32))


def test_input_types_and_shapes_agree():
    x = _chirp(2.0)
    ref = waveform_to_vggish_examples(x, SR)
    assert torch.equal(waveform_to_vggish_examples(torch.from_numpy(x), SR),
                       ref)
    assert torch.equal(waveform_to_vggish_examples(x[None], SR), ref)
    assert torch.equal(
        waveform_to_vggish_examples(np.stack([x, x]), SR), ref)
    # float32 input: same within float32 round-off of the samples
    out32 = waveform_to_vggish_examples(x.astype(np.float32), SR)
    assert (out32 - ref).abs().max() < 1e-4
    # int16 is scaled by 1 / 32768 like 16-bit PCM
    pcm = (x * 32768).round().astype(np.int16)
    assert torch.equal(waveform_to_vggish_examples(pcm, SR),
                       waveform_to_vggish_examples(pcm / 32768.0, SR))


@pytest.mark.parametrize('sample_rate', [44100, 48000])
def test_resampled_input_matches_16k(sample_rate):
    native = waveform_to_vggish_examples(_sine(440.0, 5.0), SR)
    out = waveform_to_vggish_examples(
        _sine(440.0, 5.0, sample_rate), sample_rate)
    assert out.shape == native.shape == (5, 1, 96, 64)
    # the sinc resampler leaves ~-110 dB images (44.1 kHz: around 4 kHz),
    # which move near-silent bands (log(0.01) = -4.6) by up to ~0.015
    diff = (out - native).abs()
    assert diff.max() < 0.03
    assert diff.mean() < 1e-3
    # the bands that hold the tone agree closely
    assert diff[..., :12].max() < 1e-3
    # and the tone is where it should be: 440 Hz is in mel band 7 or 8
    assert native[2, 0, 50].argmax() == out[2, 0, 50].argmax()


def test_pad_repeats_last_example():
    x = _chirp(3.0)
    full = waveform_to_vggish_examples(x, SR)
    assert full.shape[0] == 3
    padded = waveform_to_vggish_examples(x, SR, num_examples=5)
    assert padded.shape == (5, 1, 96, 64)
    assert torch.equal(padded[:3], full)
    assert torch.equal(padded[3], full[2]) and torch.equal(padded[4], full[2])


def test_cut_keeps_first_examples():
    x = _chirp(7.0)
    full = waveform_to_vggish_examples(x, SR)
    assert full.shape[0] == 7
    cut = waveform_to_vggish_examples(x, SR, num_examples=5)
    assert torch.equal(cut, full[:5])


def test_pad_or_cut_examples_direct():
    examples = torch.arange(2 * 3).reshape(2, 3)
    assert pad_or_cut_examples(examples, 4).tolist() == \
        [[0, 1, 2], [3, 4, 5], [3, 4, 5], [3, 4, 5]]
    assert pad_or_cut_examples(examples, 1).tolist() == [[0, 1, 2]]
    with pytest.raises(ValueError, match='at least one example'):
        pad_or_cut_examples(examples[:0], 5)
    with pytest.raises(ValueError, match='num_examples'):
        pad_or_cut_examples(examples, 0)


def test_too_short_errors():
    with pytest.raises(ValueError, match='one STFT frame'):
        waveform_to_vggish_examples(np.zeros(399), SR)
    with pytest.raises(ValueError, match='one STFT frame'):
        waveform_to_vggish_examples(np.zeros(399), SR, num_examples=5)
    with pytest.raises(ValueError, match=r'one VGGish example: 95 STFT'):
        waveform_to_vggish_examples(np.zeros(15599), SR)
    with pytest.raises(ValueError, match='repeats the last example'):
        waveform_to_vggish_examples(np.zeros(15599), SR, num_examples=5)


def test_bad_inputs():
    with pytest.raises(ValueError, match='channels-first'):
        waveform_to_vggish_examples(np.zeros((SR, 2)), SR)
    with pytest.raises(ValueError, match=r'\(L,\) or \(C, L\)'):
        waveform_to_vggish_examples(np.zeros((1, 2, SR)), SR)
    with pytest.raises(ValueError, match='sample_rate'):
        waveform_to_vggish_examples(np.zeros(SR), 0)
    with pytest.raises(ValueError, match='sample_rate'):
        waveform_to_vggish_examples(np.zeros(SR), 16000.5)
    with pytest.raises(ValueError, match='num_examples'):
        waveform_to_vggish_examples(np.zeros(SR), SR, num_examples=0)
    with pytest.raises(ValueError, match='NaN'):
        waveform_to_vggish_examples(np.full(SR, np.nan), SR)
    with pytest.raises(TypeError, match='int32'):
        waveform_to_vggish_examples(np.zeros(SR, dtype=np.int32), SR)
    with pytest.raises(TypeError, match='list'):
        waveform_to_vggish_examples([0.0] * SR, SR)
