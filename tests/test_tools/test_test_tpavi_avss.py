# Copyright (c) mmavs contributors. All rights reserved.
"""tools/test.py and one training iteration of tools/train.py with the
released AVSBench-Semantics TPAVI configs on the tiny synthetic AVSS tree
(colour masks, real layout; its label2idx.json extended to the 71 classes
of the release so that the configs run as they are)."""
import copy
import json
import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = {
    'r50': 'configs/tpavi/tpavi-avm-av_r50_1xb4-60e_avss-224x224.py',
    'pvt_v2_b5':
    'configs/tpavi/tpavi-avm-av_pvt-v2-b5_1xb4-60e_avss-224x224.py',
}


def run(*args):
    proc = subprocess.run([sys.executable, *args],
                          cwd=ROOT,
                          capture_output=True,
                          text=True,
                          env=dict(os.environ, OMP_NUM_THREADS='2'))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def avss_71(tiny_avss_root, tmp_path_factory):
    """The tiny tree with the 66 classes it does not use appended."""
    root = str(tmp_path_factory.mktemp('avss71') / 'data')
    shutil.copytree(tiny_avss_root, root)
    path = osp.join(root, 'label2idx.json')
    label2idx = json.load(open(path))
    label2idx.update(
        {f'unused_{i}': i
         for i in range(len(label2idx), 71)})
    json.dump(label2idx, open(path, 'w'))
    return root


def options(root, *splits):
    opts = []
    for s in splits:
        opts += [
            f'{s}_dataloader.dataset.data_root={root}',
            f'{s}_dataloader.num_workers=0',
            f'{s}_dataloader.persistent_workers=False'
        ]
    return opts


def random_checkpoint(config, path):
    """The config's model with its random initialisation (no pretrained
    weights), saved as a checkpoint."""
    register_all_modules()
    cfg = copy.deepcopy(Config.fromfile(osp.join(ROOT, config)).model)
    cfg.backbone.pop('init_cfg')
    cfg.audio_backbone.pop('init_cfg')
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)


@pytest.mark.slow
@pytest.mark.parametrize('backbone', ['r50', 'pvt_v2_b5'])
def test_tools_test_runs_released_config(backbone, avss_71, tmp_path):
    ckpt = tmp_path / 'random.pth'
    random_checkpoint(CONFIGS[backbone], ckpt)
    # scored at 64x64 instead of 224x224 to stay fast on CPU
    run('tools/test.py', CONFIGS[backbone], str(ckpt), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options', *options(avss_71, 'test'),
        'test_dataloader.dataset.pipeline.4.scale=(64,64)')
    metrics = json.load(open(tmp_path / 'test' / 'test_metrics.json'))
    assert {'mIoU', 'mFscore', 'mFDR', 'J', 'F'} <= set(metrics)
    assert all(0 <= metrics[k] <= 1 for k in ('mIoU', 'J', 'F'))


@pytest.mark.slow
def test_tools_train_one_iteration(avss_71, tmp_path):
    """2 iterations of the R50 config at 64x64: a v1s, v1m and v2 mix in
    batches of 4 padded clips, CE and L_AVM-AV."""
    work = tmp_path / 'work'
    out = run('tools/train.py', CONFIGS['r50'], '--work-dir', str(work),
              '--cfg-options', *options(avss_71, 'train', 'val', 'test'),
              'model.backbone.init_cfg=None',
              'model.audio_backbone.init_cfg=None',
              'train_dataloader.dataset.pipeline.4.size=64',
              'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1')
    losses = re.findall(r'loss_ce: ([\d.]+).*loss_avm_av: ([\d.]+)', out)
    assert len(losses) == 2, out[-3000:]
    assert all(float(c) > 0 and float(a) >= 0 for c, a in losses)
