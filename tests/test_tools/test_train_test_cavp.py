# Copyright (c) mmavs contributors. All rights reserved.
"""CAVP end to end through tools/train.py and tools/test.py on the tiny
synthetic AVSBench-Semantics tree (colour masks, real layout)."""
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'cavp',
                  'cavp_r18-tiny_1xb4-2e_synthetic-avss-64x64.py')


def run(*args):
    proc = subprocess.run([sys.executable, *args],
                          cwd=ROOT,
                          capture_output=True,
                          text=True,
                          env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_train_then_test_cavp(tiny_avss_root, tmp_path):
    work = tmp_path / 'work'
    loaders = ('train', 'val', 'test')
    options = [
        *(f'{s}_dataloader.dataset.data_root={tiny_avss_root}'
          for s in loaders),
        *(f'{s}_dataloader.num_workers=0' for s in loaders),
        *(f'{s}_dataloader.persistent_workers=False' for s in loaders),
    ]
    # 6 training clips (2 per subset), batch 4: 2 iterations, no validation
    out = run('tools/train.py', CONFIG, '--work-dir', str(work),
              '--cfg-options', *options, 'train_cfg.max_epochs=1',
              'train_cfg.val_interval=5')
    losses = re.findall(r'loss_ce: ([\d.]+).*loss_cavp: ([\d.]+)', out)
    assert len(losses) == 2, out[-3000:]
    assert all(float(c) > 0 and float(v) > 0 for c, v in losses)
    state = torch.load(work / 'epoch_1.pth', weights_only=False)
    assert state['meta']['iter'] == 2
    # the released network: the audio is fused inside the decode head
    assert any(k.startswith('decode_head.fusion.blocks.0.q.')
               for k in state['state_dict'])

    run('tools/test.py', CONFIG, str(work / 'epoch_1.pth'), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options', *options)
    metrics = json.load(open(tmp_path / 'test' / 'test_metrics.json'))
    assert {'mIoU', 'mFscore', 'mFDR', 'J', 'F'} <= set(metrics)
    assert all(0 <= metrics[k] <= 1 for k in ('mIoU', 'mFscore', 'J', 'F'))
