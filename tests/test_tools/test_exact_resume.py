# Copyright (c) mmavs contributors. All rights reserved.
"""An interrupted run continues exactly: 2 epochs straight equal 1 epoch and
``--resume`` to 2, through tools/train.py on the tiny CAVP config (random
frame sampling and flips in the workers, CAVP's random re-pairing and its
memory bank in the model, validation between the epochs)."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'cavp',
                  'cavp_r18-tiny_1xb4-2e_synthetic-avss-64x64.py')


def train(*args) -> str:
    proc = subprocess.run([sys.executable, 'tools/train.py', CONFIG, *args],
                          cwd=ROOT,
                          capture_output=True,
                          text=True,
                          env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize('num_workers', [1, 2])
def test_resume_equals_uninterrupted_run(tiny_avss_root, tmp_path,
                                         num_workers):
    options = [
        '--cfg-options',
        *(f'{s}_dataloader.dataset.data_root={tiny_avss_root}'
          for s in ('train', 'val', 'test')),
        # persistent train workers, as in the base dataset configs
        f'train_dataloader.num_workers={num_workers}',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'default_hooks.checkpoint.interval=1'
    ]
    # 6 clips, batch 4: 2 iterations an epoch, validation after each
    straight = tmp_path / 'straight'
    train('--work-dir', str(straight), *options)
    resumed = tmp_path / 'resumed'
    out = train('--work-dir', str(resumed), '--resume',
                str(straight / 'epoch_1.pth'), *options)
    assert 'resumed epoch: 1, iter: 2' in out
    assert 'RandomStateHook:' not in out  # its warnings

    expected = torch.load(straight / 'epoch_2.pth', weights_only=False)
    actual = torch.load(resumed / 'epoch_2.pth', weights_only=False)
    assert actual['meta']['iter'] == expected['meta']['iter'] == 4
    expected, actual = expected['state_dict'], actual['state_dict']
    assert expected.keys() == actual.keys()
    # CAVP's memory bank of audio clips included
    assert len(expected['av_losses.0.bank.classes']) > 0
    for key, value in expected.items():
        torch.testing.assert_close(
            actual[key], value, rtol=0, atol=1e-6, msg=key)
