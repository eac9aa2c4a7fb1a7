# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest

from mmavs.datasets.transforms import PerturbAudio


def _wave():
    t = np.arange(32000) / 16000
    return np.stack([0.5 * np.sin(2 * np.pi * 440 * t),
                     0.1 * np.sin(2 * np.pi * 880 * t)]).astype(np.float32)


def test_silence():
    out = PerturbAudio('silence')(dict(waveform=_wave()))
    assert out['waveform'].shape == (2, 32000) and not out['waveform'].any()


def test_noise_keeps_loudness_and_is_seeded_per_clip():
    wave = _wave()
    a = PerturbAudio('noise')(dict(waveform=wave, clip_name='a'))['waveform']
    # RMS of each channel of the sine: amplitude / sqrt(2)
    rms = np.sqrt((a.astype(np.float64)**2).mean(1))
    np.testing.assert_allclose(rms, [0.5 / np.sqrt(2), 0.1 / np.sqrt(2)],
                               rtol=0.02)
    # white: no sine left, samples nearly uncorrelated
    assert abs(np.corrcoef(a[0], wave[0])[0, 1]) < 0.05
    assert abs(np.corrcoef(a[0, 1:], a[0, :-1])[0, 1]) < 0.05
    again = PerturbAudio('noise')(dict(waveform=wave, clip_name='a'))
    np.testing.assert_array_equal(again['waveform'], a)
    other = PerturbAudio('noise')(dict(waveform=wave, clip_name='b'))
    assert not np.allclose(other['waveform'], a)
    fixed = PerturbAudio('noise', noise_rms=0.2)(dict(waveform=wave))
    np.testing.assert_allclose(
        np.sqrt((fixed['waveform'].astype(np.float64)**2).mean(1)), 0.2,
        rtol=0.02)


def test_bad_args():
    with pytest.raises(ValueError, match='mode'):
        PerturbAudio('swap')
    with pytest.raises(ValueError, match='noise_rms'):
        PerturbAudio('noise', noise_rms=-1)
    with pytest.raises(KeyError, match='LoadAudio'):
        PerturbAudio('silence')(dict())
    assert 'silence' in repr(PerturbAudio('silence'))
