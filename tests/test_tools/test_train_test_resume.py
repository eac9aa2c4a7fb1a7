# Copyright (c) mmavs contributors. All rights reserved.
"""End to end through tools/train.py and tools/test.py on a tiny synthetic
MS3 tree with the quick-start config: train, stop, resume, test, audio
reliance."""
import json
import math
import os.path as osp
import re
import subprocess
import sys

import cv2
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'tpavi',
                  'ca_r18-tiny_1xb4-10e_synthetic-ms3-96x96.py')


def run(*args):
    proc = subprocess.run([sys.executable, *args],
                          cwd=ROOT,
                          capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_train_stop_resume_test(tmp_path):
    data = tmp_path / 'data'
    run('tools/dataset_converters/make_synthetic_avs.py', '--out', str(data),
        '--seed', '1', '--subsets', 'ms3', '--num-train', '8', '--num-val',
        '2', '--num-test', '2', '--size', '64')
    work = tmp_path / 'work'
    common = [
        '--work-dir',
        str(work), '--cfg-options',
        f'train_dataloader.dataset.data_root={data}',
        f'val_dataloader.dataset.data_root={data}',
        f'test_dataloader.dataset.data_root={data}',
        'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
        'test_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.persistent_workers=False', 'train_cfg.val_interval=2'
    ]
    # 8 clips, batch 4: 2 iterations an epoch; the cosine decay over both
    # epochs (4 iterations) instead of epochs 5-10; stop after epoch 1
    common += ['param_scheduler.0.begin=0', 'param_scheduler.0.end=2']
    run('tools/train.py', CONFIG, *common, 'train_cfg.max_epochs=1')
    first = torch.load(work / 'epoch_1.pth', weights_only=False)
    assert first['meta']['iter'] == 2

    out = run('tools/train.py', CONFIG, '--resume', *common,
              'train_cfg.max_epochs=2')
    assert re.search(r'resumed epoch: 1, iter: 2', out), out[-3000:]
    second = torch.load(work / 'epoch_2.pth', weights_only=False)
    assert second['meta']['epoch'] == 2 and second['meta']['iter'] == 4
    # the optimizer state came along: Adam's step counter continued
    steps = [s['step'] for s in second['optimizer']['state'].values()]
    assert all(float(s) == 4 for s in steps)
    # and the schedule's position: the scheduler stepped at iterations 1-3
    # (iteration 4 is its end), so lr = 1e-5 + (1e-3 - 1e-5) (1 + cos(3 pi /
    # 4)) / 2; restarted at the resume it would stand at cos(pi / 2) again
    lrs = [g['lr'] for g in second['optimizer']['param_groups']]
    expected_lr = 1e-5 + (1e-3 - 1e-5) * (1 + math.cos(3 * math.pi / 4)) / 2
    assert lrs == pytest.approx([expected_lr] * len(lrs), rel=1e-9)

    report = tmp_path / 'report'
    run('tools/test.py', CONFIG, str(work / 'epoch_2.pth'), '--work-dir',
        str(report / 'true'), '--out', str(report / 'pred_true'),
        '--show-dir', str(tmp_path / 'show'), *common[2:])
    metrics = json.load(open(report / 'true' / 'test_metrics.json'))
    assert {'mJ', 'mF', 'fIoU'} <= set(metrics)
    assert all(0 <= metrics[k] <= 1 for k in ('mJ', 'mF', 'fIoU'))
    assert len(list((report / 'pred_true').rglob('*.png'))) == 2 * 5
    assert list((tmp_path / 'show').rglob('*.png'))

    # the quick-start's audio-reliance report and picture
    out = run('tools/analysis_tools/audio_reliance.py', CONFIG,
              str(work / 'epoch_2.pth'), '--work-dir', str(report / 'rely'),
              '--cell', '16', *common[2:])
    table = (report / 'rely' / 'reliance.md').read_text()
    for row in ('| true audio |', '| swapped audio |', '| silence |',
                '| white noise |'):
        assert row in table, table
    results = json.load(open(report / 'rely' / 'reliance.json'))['metrics']
    assert results['true'] == metrics  # same test as tools/test.py
    assert cv2.imread(str(report / 'rely' / 'reliance.png')) is not None
    picture = cv2.imread(str(report / 'rely' / 'predictions.png'))
    # 2 test clips x (frame, ground truth, 4 conditions) rows of 5 cells,
    # plus the label margin
    assert picture.shape[:2] == (2 * 6 * 16, 5 * 16 + 170), out
