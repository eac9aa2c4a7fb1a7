# Copyright (c) mmavs contributors. All rights reserved.
"""The 224x224 AVSBench-Semantics protocol scores predictions at 224x224:
the test pipeline of ``configs/_base_/datasets/avss_224x224.py`` on the tiny
synthetic tree (32x32 frames), a tiny CAVP's ``test_step`` and
:class:`AVSSMetric`."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmavs.datasets import avs_collate
from mmavs.registry import DATASETS, METRICS, MODELS
from mmavs.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
BASE = osp.join(ROOT, 'configs', '_base_', 'datasets', 'avss_224x224.py')
TINY = osp.join(ROOT, 'configs', 'cavp',
                'cavp_r18-tiny_1xb4-2e_synthetic-avss-64x64.py')


def _dataset(root, pipeline):
    cfg = Config.fromfile(BASE).test_dataloader.dataset
    cfg.update(data_root=root, pipeline=pipeline, subsets=('v1m', 'v2'))
    return DATASETS.build(cfg)


def _evaluate(model, dataset):
    metric = METRICS.build(dict(type='AVSSMetric'))
    metric.dataset_meta = dataset.metainfo
    shapes = set()
    with torch.no_grad():
        for i in range(len(dataset)):
            batch = avs_collate([dataset[i]])
            preds = model.test_step(batch)
            shapes |= {tuple(p.pred_sem_seg.data.shape) for p in preds}
            metric.process(batch, [p.to_dict() for p in preds])
    return shapes, metric.compute_metrics(metric.results)


def test_avss_224_scores_at_224(tiny_avss_root):
    pipeline = Config.fromfile(BASE).test_pipeline
    dataset = _dataset(tiny_avss_root, pipeline)
    assert len(dataset) == 4  # two v1m and two v2 test clips
    model_cfg = Config.fromfile(TINY).model
    model_cfg.decode_head.num_classes = len(dataset.metainfo['classes'])
    torch.manual_seed(0)
    model = MODELS.build(model_cfg).eval()
    shapes, metrics = _evaluate(model, dataset)
    assert shapes == {(1, 224, 224)}  # not the 32x32 of the files
    assert {'mIoU', 'mFscore', 'mFDR', 'J', 'F'} <= set(metrics)
    assert 0 <= metrics['mIoU'] <= 1
    # without the option mmseg restores predictions to 32x32 while the
    # masks are 224x224: the mismatch the option fixes
    plain = copy.deepcopy(pipeline)
    resize = next(t for t in plain if t['type'] == 'AVSResize')
    resize['update_ori_shape'] = False
    with pytest.raises(ValueError, match=r'pred_sem_seg \(1, 32, 32\)'):
        _evaluate(model, _dataset(tiny_avss_root, plain))
