# Copyright (c) mmavs contributors. All rights reserved.
"""VPO builder on a tiny generated COCO set and sine-tone class sounds."""
import csv
import hashlib
import json
import os
import os.path as osp
from collections import Counter

import cv2
import numpy as np
import pytest
import soundfile as sf
from pycocotools import mask as mask_utils

from mmavs.datasets.vpo_build import build_vpo
from mmavs.datasets.vpo_build import builder as builder_module
from mmavs.datasets.vpo_build import load_class_map, load_coco, plan_subset
from mmavs.testing.tiny_vpo import (CLASS_MAP, FIXED_IMAGES, make_class_sounds,
                                    make_tiny_coco, write_class_map)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
SECONDS = 0.5
RATE = 16000


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('vpo_inputs'))
    ann_file, image_dir = make_tiny_coco(root)
    audio_csv, audio_dir, _ = make_class_sounds(root, seconds=SECONDS)
    class_map = write_class_map(osp.join(root, 'class_map.yaml'))
    return dict(
        ann_file=ann_file,
        image_dir=image_dir,
        audio_csv=audio_csv,
        audio_dir=audio_dir,
        class_map=class_map)


def _build(out, subset, inputs, **kwargs):
    kwargs = dict(
        dict(duration=SECONDS, test_ratio=0.5, progress=False,
             log=lambda msg: None), **kwargs)
    return build_vpo(str(out), subset, **inputs, **kwargs)


@pytest.fixture(scope='module')
def built(inputs, tmp_path_factory):
    root = tmp_path_factory.mktemp('vpo_built')
    return {
        subset: (root / subset, _build(root / subset, subset, inputs))
        for subset in ('ss', 'ms', 'msmi')
    }


def _coco(inputs):
    """The JSON and its VPO-class annotations by image; those with an empty
    mask are left out, as the builder treats them as absent."""
    with open(inputs['ann_file']) as f:
        data = json.load(f)
    names = {c['id']: c['name'] for c in data['categories']}
    shape = {im['id']: (im['height'], im['width']) for im in data['images']}
    by_image = {}
    for ann in data['annotations']:
        if names[ann['category_id']] in CLASS_MAP and _decode(
                ann['segmentation'], shape[ann['image_id']]).any():
            by_image.setdefault(ann['image_id'], []).append(
                dict(ann, name=names[ann['category_id']]))
    return data, by_image


def _hashes(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = osp.join(dirpath, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = hashlib.sha256(
                    f.read()).hexdigest()
    return out


def test_pairs_class_matched_audio(inputs, built):
    with open(inputs['audio_csv'], newline='') as f:
        file_label = {r['file']: r['label'] for r in csv.DictReader(f)}
    _, by_image = _coco(inputs)
    for _, records in built.values():
        for rec in records:
            anns = {a['id']: a for a in by_image[rec['image_id']]}
            for src in rec['sources']:
                assert anns[src['instance_id']]['name'] == src['class_name']
                assert file_label[src['audio_file']] == src['audio_label']
                assert src['audio_label'] in CLASS_MAP[src['class_name']]
            assert rec['audio_labels'] == sorted(
                {list(CLASS_MAP).index(s['class_name']) + 1
                 for s in rec['sources']})


def test_single_source_rule(inputs, built):
    _, by_image = _coco(inputs)
    records = built['ss'][1]
    eligible = set()
    for image_id, anns in by_image.items():
        counts = Counter(a['name'] for a in anns if not a['iscrowd'])
        crowds = {a['name'] for a in anns if a['iscrowd']}
        if any(n == 1 and c not in crowds for c, n in counts.items()):
            eligible.add(image_id)
    assert {r['image_id'] for r in records} == eligible
    for rec in records:
        (src, ) = rec['sources']
        same = [a for a in by_image[rec['image_id']]
                if a['name'] == src['class_name']]
        assert len(same) == 1 and not same[0]['iscrowd']
        silent = {a['id'] for a in by_image[rec['image_id']]} - {
            src['instance_id']}
        assert set(rec['silent_instances']) == silent


def test_ss_prefers_images_with_more_classes(inputs):
    images, _ = load_coco(inputs['ann_file'], list(CLASS_MAP))
    everything = plan_subset(images, 'ss', max_samples=None)
    some = plan_subset(images, 'ss', max_samples=5)
    kept = {p.image.image_id for p in some}
    n_classes = {p.image.image_id: len(p.image.classes()) for p in everything}
    assert len(kept) == 5
    assert min(n_classes[i] for i in kept) >= max(
        n for i, n in n_classes.items() if i not in kept)


def test_multi_source_rules(inputs, built):
    _, by_image = _coco(inputs)
    for rec in built['ms'][1]:
        anns = by_image[rec['image_id']]
        names = [a['name'] for a in anns]
        assert len(set(names)) == len(names) >= 2  # no repeated class
        assert not any(a['iscrowd'] for a in anns)
        k, n = len(rec['sources']), len(anns)
        assert 2 <= k <= 5
        assert k == n if n <= 2 else k < n  # sounds removed when N > 2
        assert len(rec['sources']) + len(rec['silent_instances']) == n


def test_removal_rule_draws_every_allowed_count(inputs):
    images, _ = load_coco(inputs['ann_file'], list(CLASS_MAP))
    four = [im for im in images if len(im.instances) == 4 and
            len(im.classes()) == 4]  # the first FIXED_IMAGES entry
    assert four and len(FIXED_IMAGES[0]) == 4
    counts = Counter(
        len(plan_subset(four, 'ms', seed=s)[0].sources) for s in range(40))
    assert set(counts) == {2, 3}  # U{2, ..., N - 1}
    for seed in range(10):
        for p in plan_subset(images, 'msmi', seed=seed, max_sources=2):
            assert len(p.sources) <= 2


def test_msmi_extends_ms_with_multi_instance_images(inputs, built):
    _, by_image = _coco(inputs)
    msmi = built['msmi'][1]
    assert [r for r in msmi if r['part'] == 'ms'] == built['ms'][1]
    mi = [r for r in msmi if r['part'] == 'mi']
    assert mi
    for rec in mi:
        counts = Counter(
            a['name'] for a in by_image[rec['image_id']] if not a['iscrowd'])
        assert max(counts.values()) >= 2


def test_msmi_stereo_gains_from_centroids(inputs, built):
    data, _ = _coco(inputs)
    last = max(im['id'] for im in data['images'])  # FIXED_IMAGES[1]
    (two_cats, ) = [r for r in built['msmi'][1] if r['image_id'] == last]
    # cats at columns 2..9 and 36..45 of a 48-pixel-wide image, both sound
    by_x = sorted(two_cats['sources'], key=lambda s: s['centroid'][0])
    assert [s['centroid'] for s in by_x] == [[6.0, 15.0], [41.0, 17.0]]
    assert by_x[0]['gains'] == pytest.approx([1 - 6 / 48, 6 / 48])
    assert by_x[1]['gains'] == pytest.approx([1 - 41 / 48, 41 / 48])
    assert by_x[0]['audio_file'] != by_x[1]['audio_file']


def _read_mono(path):
    data, rate = sf.read(path, dtype='float64', always_2d=True)
    assert rate == RATE
    return data.mean(axis=1)


def test_audio_is_the_panned_normalised_sum(inputs, built):
    normalised = 0
    for out, records in built.values():
        for rec in records:
            expected = np.zeros((2, int(SECONDS * RATE)))
            for src in rec['sources']:
                clip = _read_mono(osp.join(inputs['audio_dir'],
                                           src['audio_file']))
                expected += np.outer(src['gains'], clip)
            peak = np.abs(expected).max()
            assert rec['norm_gain'] == pytest.approx(
                min(1.0, 32767 / 32768 / peak))
            normalised += rec['norm_gain'] < 1
            got, rate = sf.read(
                osp.join(out, rec['audio']), dtype='int16', always_2d=True)
            assert rate == RATE and got.shape == (expected.shape[1], 2)
            np.testing.assert_allclose(
                got.T / 32768, expected * rec['norm_gain'], atol=1.01 / 32768)
    assert normalised  # some mixes were loud enough to need it


def _decode(seg, shape):
    if isinstance(seg, list):  # polygons
        rle = mask_utils.merge(mask_utils.frPyObjects(seg, *shape))
    else:  # compressed RLE, counts as text
        rle = dict(seg, counts=seg['counts'].encode())
    return mask_utils.decode(rle).ravel()


def test_masks_hold_the_sounding_classes(inputs, built):
    data, by_image = _coco(inputs)
    for out, records in built.values():
        for rec in records:
            mask = cv2.imread(osp.join(out, rec['mask']), cv2.IMREAD_UNCHANGED)
            assert mask.shape == (rec['height'], rec['width'])
            anns = {a['id']: a for a in by_image[rec['image_id']]}
            allowed = [set() for _ in range(mask.size)]
            for src in rec['sources']:
                m = _decode(anns[src['instance_id']]['segmentation'],
                            mask.shape)
                for i in np.flatnonzero(m):
                    allowed[i].add(src['class_index'])
            for i, v in enumerate(mask.ravel()):
                assert (v == 0) if not allowed[i] else v in allowed[i]


def test_reproducible_by_seed(inputs, built, tmp_path):
    _build(tmp_path / 'again', 'msmi', inputs)
    assert _hashes(tmp_path / 'again') == _hashes(built['msmi'][0])
    other = _build(tmp_path / 'seed1', 'msmi', inputs, seed=1)
    assert other != built['msmi'][1]


def test_resume_after_interruption(inputs, built, tmp_path, monkeypatch):
    out = tmp_path / 'resumed'
    calls = []
    original = builder_module._SampleWriter.__call__

    def crash_after_3(self, pairing):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(pairing.sample_id)
        return original(self, pairing)

    monkeypatch.setattr(builder_module._SampleWriter, '__call__',
                        crash_after_3)
    with pytest.raises(KeyboardInterrupt):
        _build(out, 'msmi', inputs)
    monkeypatch.undo()
    with open(out / 'manifest.jsonl', 'a') as f:
        f.write('{"id": "torn')  # a record cut by the crash
    assert len(_build(out, 'msmi', inputs)) == len(built['msmi'][1])
    assert _hashes(out) == _hashes(built['msmi'][0])
    with pytest.raises(ValueError, match=r'other options \(\[.seed.\]\)'):
        _build(out, 'msmi', inputs, seed=3)


def test_default_class_map_is_table_7():
    table = load_class_map(
        osp.join(REPO, 'tools', 'dataset_converters', 'vpo_class_map.yaml'))
    assert len(table) == 21
    assert list(table)[:3] == ['bird', 'keyboard', 'bus']
    assert table['car'][3] == 'race car, auto racing'
    assert table['baby'] == ['baby babbling', 'baby crying', 'baby laughter']


def test_missing_audio_file(inputs, tmp_path):
    audio_dir = tmp_path / 'audio'
    os.symlink(inputs['audio_dir'], audio_dir)
    with open(inputs['audio_csv']) as f:
        rows = f.read() + 'not_there.wav,dog barking\n'
    (tmp_path / 'a.csv').write_text(rows)
    with pytest.raises(FileNotFoundError, match='not_there.wav'):
        _build(tmp_path / 'out', 'ss',
               dict(inputs, audio_csv=str(tmp_path / 'a.csv')))


def test_class_without_audio(inputs, tmp_path):
    with open(inputs['audio_csv']) as f:
        rows = [r for r in f if 'horse' not in r]
    (tmp_path / 'a.csv').write_text(''.join(rows))
    with pytest.raises(ValueError, match="'horse' has no audio"):
        _build(tmp_path / 'out', 'ss',
               dict(inputs, audio_csv=str(tmp_path / 'a.csv')))


@pytest.mark.parametrize('text, message', [
    ('{"images": [', 'is not valid JSON'),
    ('{"images": [], "categories": []}', r"lacks \['annotations'\]"),
    ('{"images": [{"id": 1, "file_name": "a.jpg", "height": 4, "width": 4}],'
     ' "categories": [{"id": 1, "name": "cat"}], "annotations": [{"id": 7,'
     ' "image_id": 2, "category_id": 1, "segmentation": []}]}',
     'annotation 7 refers to unknown image 2'),
])
def test_malformed_annotation_json(inputs, tmp_path, text, message):
    (tmp_path / 'bad.json').write_text(text)
    with pytest.raises(ValueError, match=message) as err:
        _build(tmp_path / 'out', 'ss',
               dict(inputs, ann_file=str(tmp_path / 'bad.json')))
    assert 'bad.json' in str(err.value)


def test_malformed_segmentation_names_annotation(inputs, tmp_path):
    with open(inputs['ann_file']) as f:
        data = json.load(f)
    data['annotations'] = [
        dict(a, segmentation=dict(size=[1, 1], counts='!!bad'))
        for a in data['annotations']
    ]
    (tmp_path / 'seg.json').write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r'seg.json: annotation \d+ has a '
                       'malformed segmentation'):
        _build(tmp_path / 'out', 'ss',
               dict(inputs, ann_file=str(tmp_path / 'seg.json')))


def test_summary_counts_and_imbalance(built):
    out, records = built['msmi']
    text = (out / 'summary.md').read_text()
    totals = Counter(c for r in records for c in r['audio_labels'])
    for idx, name in enumerate(CLASS_MAP, start=1):
        train = sum(idx in r['audio_labels'] for r in records
                    if r['split'] == 'train')
        assert f'| {name} | {train} | {totals[idx] - train} | ' \
            f'{totals[idx]} |' in text
    ratio = max(totals.values()) / min(totals.values())
    assert f'N_max / N_min: {ratio:.2f}' in text


def test_empty_mask_instances_are_dropped(inputs, built):
    data, _ = _coco(inputs)
    shape = {im['id']: (im['height'], im['width']) for im in data['images']}
    empty = [(a['id'], a['image_id']) for a in data['annotations']
             if not _decode(a['segmentation'], shape[a['image_id']]).any()]
    assert len(empty) == 1  # the zero-width horse of FIXED_IMAGES[1]
    ann_id, image_id = empty[0]
    for out, records in built.values():
        for rec in records:
            paired = [s['instance_id'] for s in rec['sources']]
            assert ann_id not in paired + rec['silent_instances']
        assert 'Instances dropped for an empty mask: 1' in (
            out / 'summary.md').read_text()
    # its image is planned as if the horse were not annotated: the dog alone
    # (with the horse, an MS sample where both sound)
    assert image_id not in {r['image_id'] for r in built['ms'][1]}
    (rec, ) = [r for r in built['ss'][1] if r['image_id'] == image_id]
    assert [s['class_name'] for s in rec['sources']] == ['dog']
    assert rec['silent_instances'] == []
