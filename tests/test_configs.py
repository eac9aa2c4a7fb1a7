# Copyright (c) mmavs contributors. All rights reserved.
"""Every config loads, one of each model variant builds; the paper configs
carry the paper's hyper-parameters (Sec. 5.1 of the AVSBench paper)."""
import glob
import os.path as osp
from typing import Any

import pytest
from mmengine.config import Config

from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '*', '*.py'))
    if '_base_' not in p)


# Building a ResNet-50/PVT-v2-b5 model with VGGish takes 2-5 s on a shared
# CPU, so of the paper grids (tpavi/, mix_mmseg/, avsegformer/; their other
# configs change one argument of these) one config per model variant is
# built; every config is parsed. Configs elsewhere are all built.
GRID_DIRS = ('tpavi', 'mix_mmseg', 'avsegformer')
GRID_BUILT = (
    'tpavi_r50_1xb4-15e_avsbench-s4-224x224.py',
    'tpavi_pvt-v2-b5_1xb4-15e_avsbench-s4-224x224.py',
    'tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py',
    'ca_r18-tiny_1xb4-10e_synthetic-ms3-96x96.py',
    'nofusion_r50_1xb4-15e_avsbench-s4-224x224.py',
    'avadd_r50_1xb4-30e_avsbench-ms3-224x224.py',
    'tpavi-avm-av_r50_1xb4-30e_avsbench-ms3-224x224.py',
    'tpavi-avm-vv_pvt-v2-b5_1xb4-30e_avsbench-ms3-224x224.py',
    'tpavi-stage34_r50_1xb4-15e_avsbench-s4-224x224.py',
    'tpavi-stage1-avm-av_pvt-v2-b5_1xb4-30e_avsbench-ms3-224x224.py',
    'tpavi-fpnhead_r50_1xb4-15e_avsbench-s4-224x224.py',
    'tpavi-fpnhead_pvt-v2-b5_1xb4-30e_avsbench-ms3-224x224.py',
    'segformer-tpavi_mit-b0_1xb4-30e_avsbench-ms3-224x224.py',
    'avsegformer_r50_1xb2-30e_avsbench-s4-224x224.py',
)
BUILT = [
    p for p in CONFIGS if osp.basename(osp.dirname(p)) not in GRID_DIRS
    or osp.basename(p) in GRID_BUILT
]


def without_pretrained(cfg: Any) -> Any:
    """``cfg`` without ``Pretrained`` init_cfgs and ``pretrained`` paths."""
    if isinstance(cfg, dict):
        return type(cfg)({
            k: without_pretrained(v)
            for k, v in cfg.items() if k != 'pretrained' and not (
                k == 'init_cfg' and isinstance(v, dict)
                and v.get('type') == 'Pretrained')
        })
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(without_pretrained(v) for v in cfg)
    return cfg


def test_configs_found():
    assert len(CONFIGS) >= 3
    names = [osp.basename(p) for p in CONFIGS]
    # `mim train mmavs NAME.py` needs every name once
    assert len(set(names)) == len(names)
    assert set(GRID_BUILT) <= set(names)


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_loads(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmavs'
    assert cfg.model.type == 'AudioVisualSegmentor'
    assert cfg.train_dataloader.collate_fn.type == 'mmavs.avs_collate'
    # exact resume (a config that sets custom_hooks must keep it)
    assert dict(type='RandomStateHook') in cfg.custom_hooks


@pytest.mark.parametrize('path', BUILT, ids=osp.basename)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    model = MODELS.build(without_pretrained(cfg.model))
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
