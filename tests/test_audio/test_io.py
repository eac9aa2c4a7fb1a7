# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest
import soundfile as sf

from mmavs.audio import AudioDecodeError, load_wav


def test_int16_is_scaled_by_32768(tmp_path):
    path = tmp_path / 'pcm16.wav'
    pcm = np.array([16384, -32768, 0, 32767, -1], dtype=np.int16)
    sf.write(str(path), pcm, 16000, subtype='PCM_16')
    waveform, sample_rate = load_wav(path)
    assert sample_rate == 16000
    assert waveform.dtype == np.float32 and waveform.shape == (1, 5)
    assert waveform[0, 0] == 0.5
    assert waveform[0, 1] == -1.0
    assert waveform[0, 3] == np.float32(32767 / 32768)
    assert waveform[0, 4] == np.float32(-1 / 32768)


def test_stereo_is_channels_first(tmp_path):
    path = tmp_path / 'stereo.wav'
    # soundfile takes (L, C): left 8192, right -16384
    pcm = np.array([[8192, -16384]] * 4, dtype=np.int16)
    sf.write(str(path), pcm, 44100, subtype='PCM_16')
    waveform, sample_rate = load_wav(str(path))
    assert sample_rate == 44100
    assert waveform.shape == (2, 4)
    assert waveform.flags['C_CONTIGUOUS']
    assert np.all(waveform[0] == 0.25) and np.all(waveform[1] == -0.5)


def test_float_wav_is_kept(tmp_path):
    path = tmp_path / 'float.wav'
    values = np.array([0.123, -0.7, 1e-5, 0.0], dtype=np.float32)
    sf.write(str(path), values, 22050, subtype='FLOAT')
    waveform, sample_rate = load_wav(path)
    assert sample_rate == 22050
    assert waveform.dtype == np.float32
    np.testing.assert_array_equal(waveform[0], values)


def test_pcm24_is_decoded_to_float(tmp_path):
    path = tmp_path / 'pcm24.wav'
    sf.write(str(path), np.array([0.5, -0.25]), 16000, subtype='PCM_24')
    waveform, _ = load_wav(path)
    assert waveform.dtype == np.float32
    np.testing.assert_array_equal(waveform[0], [0.5, -0.25])


def test_missing_file(tmp_path):
    path = tmp_path / 'nope.wav'
    with pytest.raises(FileNotFoundError, match='nope.wav'):
        load_wav(path)


def test_corrupt_file(tmp_path):
    path = tmp_path / 'corrupt.wav'
    path.write_bytes(np.random.default_rng(0).bytes(1000))
    with pytest.raises(AudioDecodeError) as info:
        load_wav(path)
    assert isinstance(info.value, ValueError)
    assert str(path) in str(info.value)
    assert 'could not be decoded' in str(info.value)


def test_zero_length_file(tmp_path):
    path = tmp_path / 'empty.wav'
    sf.write(str(path), np.zeros(0, dtype=np.int16), 16000, subtype='PCM_16')
    with pytest.raises(ValueError, match='no samples') as info:
        load_wav(path)
    assert str(path) in str(info.value)
    assert not isinstance(info.value, AudioDecodeError)


@pytest.mark.parametrize('subtype', ['PCM_16', 'FLOAT'])
def test_truncated_wav(tmp_path, subtype):
    """A wav cut short (a truncated download) would decode to fewer
    samples than its header declares."""
    full = tmp_path / 'full.wav'
    sf.write(str(full), np.zeros(16000, dtype=np.float32), 16000,
             subtype=subtype)
    data = full.read_bytes()
    cut = tmp_path / 'cut.wav'
    cut.write_bytes(data[:len(data) - 1000])
    declared = 16000 * dict(PCM_16=2, FLOAT=4)[subtype]  # 1 s of mono
    with pytest.raises(AudioDecodeError, match='truncated') as info:
        load_wav(cut)
    assert str(cut) in str(info.value)
    assert f'declares {declared} bytes' in str(info.value)
    assert f'holds {declared - 1000}' in str(info.value)
    # chunks after the data chunk (e.g. LIST) are no truncation
    tagged = tmp_path / 'tagged.wav'
    chunk = b'LIST' + (6).to_bytes(4, 'little') + b'INFOab'
    riff_size = int.from_bytes(data[4:8], 'little') + len(chunk)
    tagged.write_bytes(b'RIFF' + riff_size.to_bytes(4, 'little') + data[8:] +
                       chunk)
    assert load_wav(tagged)[0].shape == (1, 16000)


@pytest.mark.parametrize('bad', [np.nan, np.inf, -np.inf])
def test_non_finite_samples(tmp_path, bad):
    path = tmp_path / 'nan.wav'
    values = np.zeros((8, 2), dtype=np.float32)
    values[3, 1] = bad
    sf.write(str(path), values, 16000, subtype='FLOAT')
    with pytest.raises(ValueError, match='1 of 16 samples are NaN') as info:
        load_wav(path)
    assert str(path) in str(info.value)
