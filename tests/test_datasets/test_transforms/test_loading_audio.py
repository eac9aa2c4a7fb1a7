# Copyright (c) mmavs contributors. All rights reserved.
import math
import os
import pickle

import numpy as np
import pytest
import soundfile as sf
import torch

from mmavs.audio import waveform_to_vggish_examples
from mmavs.datasets.transforms.loading_audio import (ComputeVGGishExamples,
                                                     LoadAudio,
                                                     LoadVGGishExamples)
from mmavs.registry import TRANSFORMS


def _write_tone(path, seconds, sample_rate=16000, channels=1):
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    tone = 0.5 * np.sin(2 * np.pi * 440.0 * t)
    data = np.stack([tone * (c + 1) / channels for c in range(channels)], 1)
    sf.write(str(path), data, sample_rate, subtype='PCM_16')
    return data


# ------------------------------- LoadAudio -------------------------------
def test_load_audio(tmp_path):
    path = str(tmp_path / 'clip.wav')
    _write_tone(path, 0.5, 16000, channels=2)
    results = LoadAudio()(dict(audio_path=path, clip_name='clip'))
    assert results['audio_path'] == path and results['clip_name'] == 'clip'
    assert results['sample_rate'] == 16000
    waveform = results['waveform']
    assert waveform.dtype == np.float32 and waveform.shape == (2, 8000)
    # channel 1 is written at half the amplitude of channel 2
    assert np.abs(waveform[1]).max() == pytest.approx(0.5, abs=1e-4)
    assert np.abs(waveform[0]).max() == pytest.approx(0.25, abs=1e-4)


def test_load_audio_expected_sample_rate(tmp_path):
    path = str(tmp_path / 'clip44k.wav')
    _write_tone(path, 0.1, 44100)
    results = LoadAudio(expected_sample_rate=44100)(dict(audio_path=path))
    assert results['sample_rate'] == 44100
    with pytest.raises(ValueError, match='44100 Hz.*16000 Hz') as info:
        LoadAudio(expected_sample_rate=16000)(dict(audio_path=path))
    assert path in str(info.value)
    with pytest.raises(ValueError, match='expected_sample_rate'):
        LoadAudio(expected_sample_rate=0)


def test_load_audio_errors(tmp_path):
    missing = str(tmp_path / 'missing.wav')
    with pytest.raises(FileNotFoundError, match='missing.wav'):
        LoadAudio()(dict(audio_path=missing))
    with pytest.raises(KeyError, match="LoadAudio requires the key "
                       "'audio_path'"):
        LoadAudio()(dict(img_paths=[]))


def test_load_audio_repr_and_registry():
    assert repr(LoadAudio()) == 'LoadAudio(expected_sample_rate=None)'
    assert repr(LoadAudio(16000)) == 'LoadAudio(expected_sample_rate=16000)'
    built = TRANSFORMS.build(
        dict(type='LoadAudio', expected_sample_rate=16000))
    assert isinstance(built, LoadAudio) and built.expected_sample_rate == 16000


# -------------------------- ComputeVGGishExamples --------------------------
def test_compute_vggish_examples_pads(tmp_path):
    path = str(tmp_path / 'clip.wav')
    _write_tone(path, 3.0)
    results = LoadAudio()(dict(audio_path=path))
    waveform = results['waveform']
    results = ComputeVGGishExamples(num_examples=5)(results)
    audio = results['audio']
    assert isinstance(audio, np.ndarray)
    assert audio.dtype == np.float32 and audio.shape == (5, 1, 96, 64)
    # nothing removed
    assert results['waveform'] is waveform and results['sample_rate'] == 16000
    expected = waveform_to_vggish_examples(waveform, 16000).numpy()
    assert expected.shape[0] == 3
    np.testing.assert_array_equal(audio[:3], expected)
    np.testing.assert_array_equal(audio[3], expected[2])
    np.testing.assert_array_equal(audio[4], expected[2])


def test_compute_vggish_examples_resamples_and_keeps_all():
    waveform = np.zeros((2, 48000 * 6), dtype=np.float32)
    results = ComputeVGGishExamples(num_examples=None)(
        dict(waveform=waveform, sample_rate=48000))
    assert results['audio'].shape == (6, 1, 96, 64)
    assert np.all(results['audio'] == np.float32(math.log(0.01)))
    results = ComputeVGGishExamples(num_examples=1)(
        dict(waveform=waveform, sample_rate=48000))
    assert results['audio'].shape == (1, 1, 96, 64)


def test_compute_vggish_examples_errors():
    transform = ComputeVGGishExamples()
    with pytest.raises(KeyError, match="'sample_rate'"):
        transform(dict(waveform=np.zeros((1, 16000), np.float32)))
    with pytest.raises(ValueError, match='clip.wav.*short') as info:
        transform(dict(waveform=np.zeros((1, 8000), np.float32),
                       sample_rate=16000, audio_path='clip.wav'))
    assert 'repeats the last example' in str(info.value)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match='num_examples'):
            ComputeVGGishExamples(num_examples=bad)


def test_compute_vggish_examples_repr():
    assert repr(ComputeVGGishExamples()) == \
        'ComputeVGGishExamples(num_examples=5)'
    assert repr(ComputeVGGishExamples(None)) == \
        'ComputeVGGishExamples(num_examples=None)'


# --------------------------- LoadVGGishExamples ---------------------------
def _official_like_tensor(num=5):
    # like torchvggish: torch.tensor(examples, requires_grad=True)[:, None]
    examples = torch.linspace(-4.6, 3.0, num * 96 * 64, dtype=torch.float64)
    return torch.tensor(
        examples.reshape(num, 96, 64).numpy(),
        requires_grad=True)[:, None, :, :].float()


def test_load_vggish_examples_pickle(tmp_path):
    tensor = _official_like_tensor()
    path = str(tmp_path / 'clip.pkl')
    with open(path, 'wb') as f:
        pickle.dump(tensor, f)
    results = LoadVGGishExamples()(dict(log_mel_path=path))
    audio = results['audio']
    assert isinstance(audio, np.ndarray)
    assert audio.dtype == np.float32 and audio.shape == (5, 1, 96, 64)
    np.testing.assert_array_equal(audio, tensor.detach().numpy())


def test_load_vggish_examples_torch_save_and_numpy(tmp_path):
    tensor = _official_like_tensor()
    saved = str(tmp_path / 'saved.pt')
    torch.save(tensor.detach(), saved)
    audio = LoadVGGishExamples()(dict(log_mel_path=saved))['audio']
    np.testing.assert_array_equal(audio, tensor.detach().numpy())
    array = str(tmp_path / 'array.pkl')
    with open(array, 'wb') as f:
        pickle.dump(tensor.detach().numpy().astype(np.float64), f)
    audio = LoadVGGishExamples()(dict(log_mel_path=array))['audio']
    assert audio.dtype == np.float32
    np.testing.assert_array_equal(audio, tensor.detach().numpy())


def test_load_vggish_examples_pad_and_cut(tmp_path):
    tensor = _official_like_tensor(3).detach()
    path = str(tmp_path / 'three.pkl')
    with open(path, 'wb') as f:
        pickle.dump(tensor, f)
    audio = LoadVGGishExamples(num_examples=5)(dict(log_mel_path=path))
    audio = audio['audio']
    assert audio.shape == (5, 1, 96, 64)
    np.testing.assert_array_equal(audio[:3], tensor.numpy())
    np.testing.assert_array_equal(audio[4], tensor[2].numpy())
    cut = LoadVGGishExamples(num_examples=2)(dict(log_mel_path=path))
    np.testing.assert_array_equal(cut['audio'], tensor[:2].numpy())
    kept = LoadVGGishExamples(num_examples=None)(dict(log_mel_path=path))
    assert kept['audio'].shape == (3, 1, 96, 64)


def test_load_vggish_examples_errors(tmp_path):
    transform = LoadVGGishExamples()
    missing = str(tmp_path / 'missing.pkl')
    with pytest.raises(FileNotFoundError, match='missing.pkl'):
        transform(dict(log_mel_path=missing))
    with pytest.raises(KeyError, match="'log_mel_path'"):
        transform(dict(audio_path='a.wav'))

    flat = str(tmp_path / 'flat.pkl')
    with open(flat, 'wb') as f:
        pickle.dump(torch.zeros(5, 96, 64), f)
    with pytest.raises(ValueError,
                       match=r'flat.pkl holds shape \(5, 96, 64\)'):
        transform(dict(log_mel_path=flat))

    empty = str(tmp_path / 'empty.pkl')
    with open(empty, 'wb') as f:
        pickle.dump(torch.zeros(0, 1, 96, 64), f)
    with pytest.raises(ValueError, match='empty.pkl'):
        transform(dict(log_mel_path=empty))

    not_tensor = str(tmp_path / 'dict.pt')
    torch.save({'a': torch.zeros(1)}, not_tensor)
    with pytest.raises(ValueError, match='dict.pt holds a dict'):
        transform(dict(log_mel_path=not_tensor))

    garbage = str(tmp_path / 'garbage.pkl')
    with open(garbage, 'wb') as f:
        f.write(np.random.default_rng(0).bytes(256))
    with pytest.raises(ValueError, match='could not be loaded.*garbage.pkl'):
        transform(dict(log_mel_path=garbage))


class _Evil:

    def __reduce__(self):
        return (os.system, ('echo pwned',))


def test_load_vggish_examples_refuses_code(tmp_path):
    path = str(tmp_path / 'evil.pkl')
    with open(path, 'wb') as f:
        pickle.dump(_Evil(), f)
    with pytest.raises(ValueError, match='evil.pkl.*refused') as info:
        LoadVGGishExamples()(dict(log_mel_path=path))
    assert 'system' in str(info.value)


def test_load_vggish_examples_repr():
    assert repr(LoadVGGishExamples()) == 'LoadVGGishExamples(num_examples=5)'
    with pytest.raises(ValueError, match='num_examples'):
        LoadVGGishExamples(num_examples=0)


def test_compute_log_mel_per_frame_and_sampled(tmp_path):
    import soundfile as sf

    from mmavs.audio import waveform_to_log_mel
    from mmavs.datasets.transforms import ComputeLogMel, LoadAudio
    rng = np.random.default_rng(0)
    samples = (rng.standard_normal((3 * 16000, 2)) * 0.1).astype(np.float32)
    path = str(tmp_path / 'a.wav')
    sf.write(path, samples, 16000, subtype='FLOAT')
    results = LoadAudio()(dict(audio_path=path, num_frames=3))
    out = ComputeLogMel(stereo=True)(dict(results))
    assert out['audio'].shape == (3, 2, 96, 64)
    assert out['audio'].dtype == np.float32
    full = waveform_to_log_mel(
        torch.from_numpy(samples.T.copy()), 16000, 3, stereo=True)
    np.testing.assert_array_equal(out['audio'], full.numpy())
    # after AVSSampleFrames: only frame 2 of the 3-frame clip
    sampled = ComputeLogMel(stereo=True)(
        dict(results, num_frames=1, clip_num_frames=3, frame_indices=[2]))
    np.testing.assert_array_equal(sampled['audio'][0], full[2].numpy())
    assert ComputeLogMel()(dict(results))['audio'].shape == (3, 1, 96, 64)
    with pytest.raises(ValueError, match=r'a\.wav.*2-channel'):
        ComputeLogMel(stereo=True)(
            dict(results, waveform=results['waveform'][:1]))
    with pytest.raises(KeyError, match='num_frames'):
        ComputeLogMel()(dict(waveform=results['waveform'],
                             sample_rate=16000))


def test_non_finite_audio_refused(tmp_path):
    """NaN / inf never pass an audio transform silently."""
    from mmavs.datasets.transforms import ComputeLogMel, PerturbAudio
    path = str(tmp_path / 'nan.pkl')
    tensor = _official_like_tensor(5).detach()
    tensor[2, 0, 5, 7] = float('nan')
    with open(path, 'wb') as f:
        pickle.dump(tensor, f)
    with pytest.raises(ValueError, match='nan.pkl: 1 of 30720 values'):
        LoadVGGishExamples()(dict(log_mel_path=path))
    wave = np.zeros((1, 16000), dtype=np.float32)
    wave[0, 5] = np.inf
    for transform in (ComputeLogMel(), ComputeVGGishExamples(1),
                      PerturbAudio('noise')):
        results = dict(waveform=wave, sample_rate=16000, num_frames=1,
                       audio_path='clip.wav')
        with pytest.raises(ValueError, match='clip.wav.*(NaN|infinite)'):
            transform(results)
