# Copyright (c) mmavs contributors. All rights reserved.
"""The command line of tools/dataset_converters/build_vpo.py."""
import json
import os.path as osp
import re
import subprocess
import sys
from collections import Counter

import cv2
import numpy as np
import pytest
import soundfile as sf

from mmavs.datasets.vpo_build import build_vpo
from mmavs.testing.tiny_vpo import (CLASS_MAP, make_class_sounds,
                                    make_tiny_coco, write_class_map)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join('tools', 'dataset_converters', 'build_vpo.py')
# not the defaults, so that a dropped option changes the output
OPTIONS = dict(seed=3, test_ratio=0.5, duration=0.25, sample_rate=8000,
               max_sources=3, max_samples=8)


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('vpo_cli_inputs'))
    ann_file, image_dir = make_tiny_coco(root)
    audio_csv, audio_dir, _ = make_class_sounds(root, seconds=0.5)
    return dict(
        ann_file=ann_file,
        image_dir=image_dir,
        audio_csv=audio_csv,
        audio_dir=audio_dir,
        class_map=write_class_map(osp.join(root, 'class_map.yaml')))


def run_cli(out, subset, inputs, **options):
    args = [sys.executable, SCRIPT, '--subset', subset, '--out', str(out),
            '--no-progress']
    for key, value in dict(inputs, **options).items():
        args += ['--' + key.replace('_', '-'), str(value)]
    return subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_builds_and_prints_summary(inputs, tmp_path):
    out = tmp_path / 'ms'
    proc = run_cli(out, 'ms', inputs, **OPTIONS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = [json.loads(line) for line in open(out / 'manifest.jsonl')]
    assert len(records) == OPTIONS['max_samples']
    assert {r['split'] for r in records} == {'train', 'test'}
    classes = ['background'] + list(CLASS_MAP)
    assert json.load(open(out / 'meta.json'))['classes'] == classes
    for rec in records:
        stem = f"{rec['split']}/{rec['image_id']:012d}"
        mask = cv2.imread(str(out / 'masks' / f'{stem}.png'),
                          cv2.IMREAD_UNCHANGED)
        assert set(np.unique(mask)) - {0} == set(rec['audio_labels'])
        assert 1 <= len(rec['audio_labels']) <= OPTIONS['max_sources']
        wave, rate = sf.read(str(out / 'audio' / f'{stem}.wav'))
        assert rate == 8000 and wave.shape == (2000, 2)  # 0.25 s, stereo
        assert list((out / 'images' / rec['split']).glob(
            f"{rec['image_id']:012d}.*"))
    # the summary table is printed (and saved), counted from the manifest
    assert proc.stdout.strip().endswith(
        (out / 'summary.md').read_text().strip())
    totals = Counter(c for r in records for c in r['audio_labels'])
    for idx, name in enumerate(classes[1:], start=1):
        train = sum(idx in r['audio_labels'] for r in records
                    if r['split'] == 'train')
        assert re.search(
            rf'^\| {name} \| {train} \| {totals[idx] - train} \| '
            rf'{totals[idx]} \|$', proc.stdout, re.M), name
    ratio = max(totals.values()) / min(totals.values())
    assert f'Imbalance ratio N_max / N_min: {ratio:.2f} over ' \
        f'{len(totals)} sounding classes' in proc.stdout
    # the same as the library function with the same options
    lib = tmp_path / 'lib'
    build_vpo(str(lib), 'ms', **inputs, **OPTIONS, progress=False,
              log=lambda msg: None)
    assert (lib / 'manifest.jsonl').read_text() == \
        (out / 'manifest.jsonl').read_text()


def test_cli_malformed_annotation_json(inputs, tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text('{"images": [{"id": 1,')
    out = tmp_path / 'out'
    proc = run_cli(out, 'ss', dict(inputs, ann_file=str(bad)))
    assert proc.returncode != 0
    assert proc.stderr.strip().startswith(
        f'build_vpo: {bad} is not valid JSON')
    assert 'Traceback' not in proc.stderr
    assert not (out / 'manifest.jsonl').exists()
