# Copyright (c) mmavs contributors. All rights reserved.
import io

import numpy as np
import pytest
import soundfile as sf

from mmavs.datasets.vpo_build import (FULL_SCALE, encode_wav, load_clip,
                                      mask_centroid, mix_sources, pan_gains)


def test_mask_centroid_and_pan_gains():
    mask = np.zeros((10, 40), dtype=np.uint8)
    mask[2:5, 4:12] = 1  # columns 4..11 -> centre 8.0, rows 2..4 -> 3.5
    assert mask_centroid(mask) == (8.0, 3.5)
    left, right = pan_gains(8.0, 40)  # alpha = 8 / 40
    assert (left, right) == pytest.approx((0.8, 0.2))
    full = np.ones((3, 40), dtype=np.uint8)  # whole width -> centre
    assert pan_gains(mask_centroid(full)[0], 40) == (0.5, 0.5)
    with pytest.raises(ValueError, match='empty'):
        mask_centroid(np.zeros((3, 3), dtype=np.uint8))


def test_mix_sums_panned_sources_without_clipping():
    a = np.array([0.5, -0.25, 0.0, 0.1], dtype=np.float32)
    b = np.array([0.2, 0.2, -0.4, 0.0], dtype=np.float32)
    mix, gain = mix_sources([a, b], [(0.75, 0.25), (0.0, 1.0)])
    # left 0.75 a, right 0.25 a + b, worked out by hand
    expected = np.array([[0.375, -0.1875, 0.0, 0.075],
                         [0.325, 0.1375, -0.4, 0.025]])
    assert gain == 1.0
    np.testing.assert_allclose(mix, expected, atol=1e-7)
    loud, gain = mix_sources([a * 4, b * 4], [(1.0, 0.0), (0.5, 0.5)])
    # unscaled left peak: 4 * (0.5 + 0.1) = 2.4 at sample 0
    assert gain == pytest.approx(FULL_SCALE / 2.4)
    assert np.abs(loud).max() == pytest.approx(FULL_SCALE, rel=1e-6)


def test_encode_wav_round_trips_through_load_scale():
    wave = np.array([[0.5, -1.0, FULL_SCALE], [0.0, 0.25, -0.5]])
    data, rate = sf.read(io.BytesIO(encode_wav(wave, 16000)), dtype='int16')
    assert rate == 16000 and data.shape == (3, 2)
    np.testing.assert_array_equal(data.T, wave * 32768)


def test_load_clip_mono_resample_cut_and_pad(tmp_path):
    rate = 8000
    t = np.arange(rate) / rate
    stereo = np.stack([np.sin(2 * np.pi * 440 * t), np.zeros_like(t)], 1)
    sf.write(tmp_path / 'a.wav', 0.5 * stereo, rate, subtype='FLOAT')
    clip = load_clip(str(tmp_path / 'a.wav'), 16000, 24000)
    assert clip.shape == (24000, ) and clip.dtype == np.float32
    assert not clip[16000:].any()  # 1 s of audio, padded to 1.5 s
    spectrum = np.abs(np.fft.rfft(clip[:16000]))  # 1 Hz bins
    assert spectrum.argmax() == 440
    # channels averaged: amplitude 0.5 / 2
    assert np.abs(clip[1000:15000]).max() == pytest.approx(0.25, abs=0.01)
    assert load_clip(str(tmp_path / 'a.wav'), 8000, 100).shape == (100, )
