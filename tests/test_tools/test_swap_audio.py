# Copyright (c) mmavs contributors. All rights reserved.
"""tools/dataset_converters/swap_audio.py (AVS-M-SS)."""
import csv
import importlib.util
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
import torch

from mmavs.audio import load_wav, waveform_to_vggish_examples
from mmavs.datasets import AVSBenchObjectDataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CATEGORIES = ('drum', 'guitar', 'piano', 'dog')  # of make_synthetic_avs


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location(
        'swap_audio',
        osp.join(REPO, 'tools', 'dataset_converters', 'swap_audio.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def collection(tmp_path_factory):
    """Two 8 kHz, 6 s tones per category, labelled as VGGSound would."""
    root = tmp_path_factory.mktemp('collection')
    t = np.arange(6 * 8000) / 8000
    rows, freq = [], {}
    for k, name in enumerate(CATEGORIES):
        for j in range(2):
            file = f'{name}_{j}.wav'
            freq[file] = 300 + 100 * (2 * k + j)
            sf.write(root / file, 0.5 * np.sin(2 * np.pi * freq[file] * t),
                     8000)
            rows.append((file, f'{name.upper()}, some alias'))
    with open(root / 'audio.csv', 'w', newline='') as f:
        csv.writer(f).writerows([('file', 'label')] + rows)
    return str(root), freq


def test_repairs_with_same_class_audio(tool, tiny_avs_root, collection,
                                       tmp_path):
    audio_dir, freq = collection
    data_root = tiny_avs_root
    out = str(tmp_path / 'swapped')
    records = tool.swap_audio(
        data_root, out, seed=0, audio_csv=osp.join(audio_dir, 'audio.csv'),
        audio_dir=audio_dir)
    ds = AVSBenchObjectDataset(
        out, subset='s4', split='test', serialize_data=False)
    assert len(ds) == len(AVSBenchObjectDataset(data_root, split='test'))
    for rec, info in zip([r for r in records if r['split'] == 'test'],
                         ds.data_list):
        assert rec['source'].startswith(info['category'])  # same class
        wave, rate = load_wav(info['audio_path'])
        assert rate == 16000 and wave.shape == (1, 5 * 16000)  # cut to 5 s
        spectrum = np.abs(np.fft.rfft(wave[0, :16000]))  # 1 Hz bins
        assert spectrum.argmax() == freq[rec['source']]
        with open(info['log_mel_path'], 'rb') as f:
            stored = pickle.load(f)
        assert torch.allclose(stored,
                              waveform_to_vggish_examples(wave, rate, 5))
    with open(osp.join(out, 'audio_swap.csv')) as f:
        assert list(csv.DictReader(f)) == [
            {k: str(v) for k, v in r.items()} for r in records]
    again = tool.swap_audio(
        data_root, str(tmp_path / 'again'), seed=0,
        audio_csv=osp.join(audio_dir, 'audio.csv'), audio_dir=audio_dir)
    assert again == records
    with pytest.raises(FileExistsError):
        tool.swap_audio(data_root, out)


def test_within_release_and_errors(tool, tiny_avs_root, collection,
                                   tmp_path):
    data_root = tiny_avs_root
    clips = tool._clips(data_root)
    counts = {c['category']: 0 for c in clips}
    for c in clips:
        counts[c['category']] += 1
    assert min(counts.values()) == 1  # the tiny set has a lone category
    with pytest.raises(ValueError, match='single clip'):
        tool.swap_audio(data_root, str(tmp_path / 'x'))
    keep = [c for c in clips if counts[c['category']] >= 2]
    pools = tool._pools(keep, None, None, None)
    for c in keep:
        assert c['audio_path'] in pools[c['category']]
        assert {p.split('/')[-2] for p in pools[c['category']]} == {
            c['category']}
    audio_dir, _ = collection
    with pytest.raises(ValueError, match="'dog' has no audio"):
        tool._pools(clips, osp.join(audio_dir, 'audio.csv'), audio_dir,
                    dict(dog=['dog barking']))


def test_command_line(tool, tiny_avs_root, collection, tmp_path):
    """The script's options reach swap_audio(); errors exit non-zero."""
    audio_dir, freq = collection
    class_map = tmp_path / 'map.yaml'  # drum clips get piano sounds
    class_map.write_text('classes:\n  drum: ["PIANO, some alias"]\n')
    out = tmp_path / 'swapped'
    args = [
        sys.executable, 'tools/dataset_converters/swap_audio.py',
        '--data-root', tiny_avs_root, '--out', str(out), '--seed', '4',
        '--audio-csv', osp.join(audio_dir, 'audio.csv'), '--audio-dir',
        audio_dir, '--class-map', str(class_map), '--duration', '2'
    ]
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out / 'audio_swap.csv') as f:
        records = list(csv.DictReader(f))
    assert proc.stdout.strip().endswith(
        f'Wrote {len(records)} re-paired clips to {out}')
    expected = tool.swap_audio(
        tiny_avs_root, str(tmp_path / 'lib'), seed=4,
        audio_csv=osp.join(audio_dir, 'audio.csv'), audio_dir=audio_dir,
        class_map=dict(drum=['PIANO, some alias']), duration=2)
    assert records == [{k: str(v) for k, v in r.items()} for r in expected]
    drums = [r for r in records if r['category'] == 'drum']
    assert drums and all(r['source'].startswith('piano') for r in drums)
    wave, rate = load_wav(
        str(out / 's4_data' / 'audio_wav' / drums[0]['split'] / 'drum' /
            f"{drums[0]['name']}.wav"))
    assert rate == 16000 and wave.shape == (1, 2 * 16000)  # --duration
    # an existing output folder: a clear error, nothing overwritten
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
    assert proc.returncode != 0
    assert f'Output folder exists: {out}' in proc.stderr
