# Copyright (c) mmavs contributors. All rights reserved.
import csv

import numpy as np
import pytest

from mmavs.datasets.transforms import AudioSwap
from mmavs.datasets.transforms.audio_swap import normalize_label
from mmavs.registry import TRANSFORMS


@pytest.fixture
def collection(tmp_path):
    rows = [('file', 'label'), ('m0.wav', 'male speech, man speaking'),
            ('m1.wav', 'male speech, man speaking'),
            ('d0.wav', 'dog barking'), ('c0.wav', 'cat meowing')]
    with open(tmp_path / 'audio.csv', 'w', newline='') as f:
        csv.writer(f).writerows(rows)
    return str(tmp_path / 'audio.csv'), str(tmp_path)


def test_normalize_label():
    assert normalize_label('male_speech') == 'male speech'
    assert normalize_label('Male speech, man speaking') == 'male speech'
    assert normalize_label('race car, auto racing') == 'race car'


def test_swaps_within_class(collection):
    audio_csv, audio_dir = collection
    swap = TRANSFORMS.build(
        dict(type='AudioSwap', audio_csv=audio_csv, audio_dir=audio_dir,
             classes=['male_speech', 'dog_barking']))
    np.random.seed(0)
    seen = set()
    for _ in range(20):
        out = swap(dict(category='male_speech', audio_path='orig.wav',
                        log_mel_path='orig.pkl'))
        assert out['audio_path'].startswith(audio_dir)
        assert 'log_mel_path' not in out
        seen.add(out['audio_clip_name'])
    assert seen == {'m0', 'm1'}  # both clips of the class, nothing else
    out = swap(dict(category='dog_barking', audio_path='orig.wav'))
    assert out['audio_clip_name'] == 'd0'
    keep = AudioSwap(audio_csv, audio_dir, ['dog_barking'], prob=0.0)
    assert keep(dict(category='dog_barking',
                     audio_path='orig.wav'))['audio_path'] == 'orig.wav'
    mapped = AudioSwap(audio_csv, audio_dir, ['kitty'],
                       class_map=dict(kitty=['cat meowing']))
    assert mapped(dict(category='kitty'))['audio_clip_name'] == 'c0'
    assert 'prob=1.0' in repr(mapped)


def test_errors(collection):
    audio_csv, audio_dir = collection
    with pytest.raises(ValueError, match="'horse' has no audio"):
        AudioSwap(audio_csv, audio_dir, ['horse'])
    swap = AudioSwap(audio_csv, audio_dir, ['dog_barking'])
    with pytest.raises(KeyError, match="'cat_meowing'"):
        swap(dict(category='cat_meowing', clip_name='c'))
    with pytest.raises(KeyError, match="class key 'category'"):
        swap(dict(audio_path='a.wav'))
    with pytest.raises(ValueError, match='prob'):
        AudioSwap(audio_csv, audio_dir, ['dog_barking'], prob=2)
