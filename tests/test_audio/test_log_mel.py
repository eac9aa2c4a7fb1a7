# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest
import torch

from mmavs.audio import frame_windows, log_mel_db, waveform_to_log_mel


def _naive_log_mel(x: np.ndarray) -> np.ndarray:
    """CAVP's front-end written out in float64 numpy: centred STFT (reflect
    pad 256), periodic Hann of 400 centred in 512, power, HTK mel filters
    over 125-3800 Hz, 20 log10(max(1e-5, .)), [-100, 100] -> [-1, 1]."""
    n_fft, win, hop, sr, n_mels = 512, 400, 160, 16000, 64
    padded = np.pad(x, n_fft // 2, mode='reflect')
    n = np.arange(win)
    hann = np.zeros(n_fft)
    hann[(n_fft - win) // 2:(n_fft - win) // 2 + win] = \
        0.5 - 0.5 * np.cos(2 * np.pi * n / win)
    frames = [padded[i:i + n_fft] * hann
              for i in range(0, len(padded) - n_fft + 1, hop)]
    power = np.abs(np.fft.rfft(np.array(frames), axis=1))**2  # (F, 257)

    def mel(f):
        return 2595 * np.log10(1 + f / 700)

    def hz(m):
        return 700 * (10**(m / 2595) - 1)

    freqs = np.linspace(0, sr // 2, n_fft // 2 + 1)
    f_pts = hz(np.linspace(mel(125.0), mel(3800.0), n_mels + 2))
    fb = np.zeros((len(freqs), n_mels))
    for m in range(n_mels):
        lo, c, hi = f_pts[m], f_pts[m + 1], f_pts[m + 2]
        fb[:, m] = np.maximum(
            0, np.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)))
    db = 20 * np.log10(np.maximum(1e-5, power @ fb))
    return 2 * (db + 100) / 200 - 1


def test_log_mel_matches_naive_implementation():
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    x = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(16000)
    ours = log_mel_db(torch.from_numpy(x).float())
    ref = _naive_log_mel(x)
    assert ours.shape == (101, 64) and ref.shape == (101, 64)
    np.testing.assert_allclose(ours.numpy(), ref, atol=2e-4)
    # silence hits the 1e-5 floor: 20 log10(1e-5) = -100 dB -> -1
    silent = log_mel_db(torch.zeros(16000), num_time_frames=96)
    assert silent.shape == (96, 64)
    np.testing.assert_allclose(silent.numpy(), -1.0, atol=1e-6)


def test_frame_windows_are_the_frames_seconds():
    wave = torch.arange(5 * 4).float()[None]  # 5 "seconds" of 4 samples
    win = frame_windows(wave, 5, 4)
    assert win.shape == (5, 1, 4)
    assert win[2, 0].tolist() == [8, 9, 10, 11]
    # a 3-second window of frame 0 wraps around the clip start
    assert frame_windows(wave, 5, 12, [0])[0, 0].tolist() == \
        [16, 17, 18, 19] + list(range(8))
    with pytest.raises(ValueError, match=r'\[5\] are outside'):
        frame_windows(wave, 5, 4, [5])


def test_waveform_to_log_mel_shapes_and_channels():
    rng = np.random.default_rng(1)
    left = torch.from_numpy(rng.standard_normal(5 * 16000) * 0.1).float()
    stereo = torch.stack([left, torch.zeros_like(left)])
    mono = waveform_to_log_mel(stereo, 16000, num_frames=5)
    assert mono.shape == (5, 1, 96, 64)
    both = waveform_to_log_mel(stereo, 16000, num_frames=5, stereo=True)
    assert both.shape == (5, 2, 96, 64)
    # frame 3 = second 3 of the left channel; the right channel is silent
    expected = log_mel_db(left[3 * 16000:4 * 16000], num_time_frames=96)
    torch.testing.assert_close(both[3, 0], expected)
    torch.testing.assert_close(both[:, 1], torch.full_like(both[:, 1], -1.0))
    # mono = spectrogram of the channel mean
    torch.testing.assert_close(
        mono[3, 0], log_mel_db(stereo.mean(0)[48000:64000],
                               num_time_frames=96))
    three = waveform_to_log_mel(
        stereo, 16000, 1, window_seconds=3.0, num_time_frames=300)
    assert three.shape == (1, 1, 300, 64)
    # resampled input: 8 kHz -> 16 kHz gives the same frame count
    assert waveform_to_log_mel(stereo[:, ::2], 8000, 5).shape == mono.shape
    with pytest.raises(ValueError, match='2-channel'):
        waveform_to_log_mel(left[None], 16000, 5, stereo=True)


def test_waveform_to_log_mel_refuses_non_finite():
    wave = torch.zeros(1, 16000)
    wave[0, 100] = float('nan')
    with pytest.raises(ValueError, match='NaN or infinite'):
        waveform_to_log_mel(wave, 16000, 1)
    wave[0, 100] = float('inf')
    with pytest.raises(ValueError, match='NaN or infinite'):
        waveform_to_log_mel(wave, 16000, 1)
