# Copyright (c) mmavs contributors. All rights reserved.
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmavs.datasets import VPODataset, avs_collate
from mmavs.datasets.vpo_build import build_vpo
from mmavs.registry import DATASETS, MODELS
from mmavs.testing.tiny_vpo import (CLASS_MAP, make_class_sounds,
                                    make_tiny_coco, write_class_map)
from mmavs.utils import register_all_modules

register_all_modules()
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def vpo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('vpo'))
    ann_file, image_dir = make_tiny_coco(root)
    audio_csv, audio_dir, _ = make_class_sounds(root)
    build_vpo(
        osp.join(root, 'msmi'),
        'msmi',
        ann_file=ann_file,
        image_dir=image_dir,
        audio_csv=audio_csv,
        audio_dir=audio_dir,
        class_map=write_class_map(osp.join(root, 'map.yaml')),
        duration=0.5,
        test_ratio=0.5,
        progress=False,
        log=lambda msg: None)
    return osp.join(root, 'msmi')


def _pipeline(stereo, flip_prob=0.0):
    return [
        dict(type='LoadAVSFrames'),
        dict(type='LoadAVSAnnotations', binary=False),
        dict(type='LoadAudio', expected_sample_rate=16000),
        dict(type='AVSRandomFlip', prob=flip_prob),
        dict(type='ComputeLogMel', window_seconds=0.5, num_time_frames=None,
             stereo=stereo),
        dict(type='PackAVSInputs'),
    ]


def _records(root):
    with open(osp.join(root, 'manifest.jsonl')) as f:
        return [json.loads(line) for line in f]


def test_reads_the_split_with_classes(vpo_root):
    records = _records(vpo_root)
    for split in ('train', 'test'):
        ds = VPODataset(vpo_root, split=split)
        expected = [r for r in records if r['split'] == split]
        assert len(ds) == len(expected) > 0
        info = ds.get_data_info(0)
        assert info['clip_name'] == expected[0]['id']
        assert info['num_frames'] == 1
        assert info['audio_labels'] == [expected[0]['audio_labels']]
        assert info['img_paths'] == [osp.join(vpo_root,
                                              expected[0]['image'])]
    assert ds.metainfo['classes'] == ('background', *CLASS_MAP)
    assert len(ds.metainfo['palette']) == len(CLASS_MAP) + 1


@pytest.mark.parametrize('stereo', [False, True])
def test_pipeline_packs_one_frame(vpo_root, stereo):
    ds = VPODataset(vpo_root, split='train', pipeline=_pipeline(stereo))
    record = [r for r in _records(vpo_root) if r['split'] == 'train'][0]
    item = ds[0]
    imgs, audio = item['inputs']['imgs'], item['inputs']['audio']
    assert imgs.shape == (1, 3, record['height'], record['width'])
    assert audio.shape[:2] == (1, 2 if stereo else 1)
    assert audio.shape[3] == 64
    (sample, ) = item['data_samples']
    mask = cv2.imread(osp.join(vpo_root, record['mask']), -1)
    assert torch.equal(sample.gt_sem_seg.data[0],
                       torch.from_numpy(mask.astype(np.int64)))
    assert sample.audio_labels == record['audio_labels']
    assert set(np.unique(mask)) - {0} <= set(record['audio_labels'])


def test_flip_swaps_stereo_channels(vpo_root):
    plain = VPODataset(vpo_root, pipeline=_pipeline(True))[0]
    flipped = VPODataset(vpo_root, pipeline=_pipeline(True, 1.0))[0]
    audio, audio_f = plain['inputs']['audio'], flipped['inputs']['audio']
    assert not torch.equal(audio[:, 0], audio[:, 1])
    assert torch.equal(audio_f, audio.flip(1))
    assert torch.equal(flipped['inputs']['imgs'],
                       plain['inputs']['imgs'].flip(-1))


def test_errors(vpo_root, tmp_path):
    with pytest.raises(ValueError, match="split 'val'"):
        VPODataset(vpo_root, split='val')
    with pytest.raises(FileNotFoundError, match='meta.json'):
        VPODataset(str(tmp_path))
    root = tmp_path / 'copy'
    os.makedirs(root)
    for name in ('meta.json', 'manifest.jsonl'):
        os.symlink(osp.join(vpo_root, name), root / name)
    with pytest.raises(FileNotFoundError, match='image not found'):
        VPODataset(str(root))


def test_tpavi_vpo_config_runs_on_tiny_vpo(vpo_root):
    """The stereo MSMI config's pipelines and model, on the tiny set with
    64x64 frames and 0.5 s of audio."""
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'tpavi',
                 'tpavi_r50_1xb16-80e_vpo-msmi-stereo-512x512.py'))
    loaders = {}
    for split, loader in (('train', cfg.train_dataloader),
                          ('test', cfg.test_dataloader)):
        for t in loader.dataset.pipeline:
            if t.type == 'AVSRandomCrop':
                t.crop_size = (64, 64)
            if t.type == 'AVSResize':
                t.scale = (64, 64)
            if t.type == 'ComputeLogMel':
                t.update(window_seconds=0.5, num_time_frames=None)
        loaders[split] = DATASETS.build(
            dict(loader.dataset, data_root=vpo_root))
    cfg.model.backbone.init_cfg = None
    cfg.model.audio_backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    batch = model.data_preprocessor(
        avs_collate([loaders['train'][0], loaders['train'][1]]), True)
    assert batch['inputs']['imgs'].shape == (2, 1, 3, 64, 64)
    assert batch['inputs']['audio'].shape[:3] == (2, 1, 2)
    losses = model(**batch, mode='loss')
    assert torch.isfinite(losses['decode.loss_ce'])
    model.eval()
    item = loaders['test'][0]
    with torch.no_grad():
        (pred, ) = model.test_step(avs_collate([item]))
    h, w = item['data_samples'][0].ori_shape
    assert pred.seg_logits.data.shape == (22, h, w)  # Table 7 + background


def test_shuffle_audio_pairs_other_classes(vpo_root, tmp_path):
    """The audio (file and heard classes) moves to a sample whose heard
    classes are disjoint from its own; images and masks stay. When a class
    is heard in more than half of the samples no such pairing exists and
    any other sample's audio is used, as the rule says."""
    records = [r for r in _records(vpo_root) if r['split'] == 'train']
    # samples that share no heard class with each other
    pick = [r for k, r in enumerate(records)
            if not any(set(r['audio_labels']) & set(q['audio_labels'])
                       for q in records[:k])][:3]
    assert len(pick) >= 2
    manifest = tmp_path / 'disjoint.jsonl'
    manifest.write_text(''.join(json.dumps(r) + '\n' for r in pick))
    kwargs = dict(data_root=vpo_root, split='train', ann_file=str(manifest))
    infos = [VPODataset(**kwargs).get_data_info(i) for i in range(len(pick))]
    shuffled = VPODataset(shuffle_audio_seed=0, **kwargs)
    by_audio = {info['audio_path']: info for info in infos}
    sources = []
    for k, own in enumerate(infos):
        info = shuffled.get_data_info(k)
        src = by_audio[info['audio_path']]
        assert src['clip_name'] != own['clip_name']
        assert info['audio_labels'] == src['audio_labels']
        assert not set(src['audio_labels'][0]) & set(own['audio_labels'][0])
        assert info['seg_map_paths'] == own['seg_map_paths']
        sources.append(src['clip_name'])
    assert sorted(sources) == sorted(info['clip_name'] for info in infos)
    assert shuffled.audio_swap_rule == 'a clip of other classes'
    # the whole split: a class is heard in most samples
    plain = VPODataset(vpo_root, split='train')
    crowded = VPODataset(vpo_root, split='train', shuffle_audio_seed=0)
    assert crowded.audio_swap_rule.startswith('another clip (cannot give')
    for k in range(len(plain)):
        assert (crowded.get_data_info(k)['audio_path'] !=
                plain.get_data_info(k)['audio_path'])
