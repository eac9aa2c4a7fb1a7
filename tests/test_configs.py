# Copyright (c) mmavs contributors. All rights reserved.
"""Every config loads and builds; the paper configs carry the paper's
hyper-parameters (Sec. 5.1 of the AVSBench paper)."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '*', '*.py'))
    if '_base_' not in p)


def test_configs_found():
    assert len(CONFIGS) >= 3


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmavs'
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'AudioVisualSegmentor'


@pytest.mark.parametrize('name, subset, epochs', [
    ('tpavi_r50_1xb4-15e_avsbench-s4-224x224.py', 's4', 15),
    ('tpavi_r50_1xb4-30e_avsbench-ms3-224x224.py', 'ms3', 30),
])
def test_paper_hyper_parameters(name, subset, epochs):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'tpavi', name))
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-4)
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.train_cfg.max_epochs == epochs
    for loader in ('train', 'val', 'test'):
        dataset = cfg[f'{loader}_dataloader'].dataset
        assert dataset.subset == subset
        resize = [t for t in dataset.pipeline if t.type == 'AVSResize']
        assert resize[0].scale == (224, 224)
    assert cfg.model.backbone.depth == 50
    assert cfg.model.backbone.style == 'pytorch'
    assert cfg.model.neck.in_channels == [256, 512, 1024, 2048]
    assert cfg.model.neck.dilations == (3, 6, 12, 18)
    assert cfg.model.fusion.stages == (0, 1, 2, 3)
    assert cfg.model.audio_backbone.frozen
    assert cfg.model.decode_head.channels == 32
    assert cfg.model.decode_head.loss_decode.use_sigmoid
