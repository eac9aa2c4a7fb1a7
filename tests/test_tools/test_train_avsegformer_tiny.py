# Copyright (c) mmavs contributors. All rights reserved.
"""The tiny AVSegFormer learns to listen: trained by tools/train.py on the
synthetic MS3 data (where the mask changes with the sound), it scores
clearly better with the true audio than with swapped audio
(tools/analysis_tools/audio_reliance.py). Checked locally for seeds 0-4
(figures in configs/avsegformer/README.md); one seed runs here."""
import glob
import json
import os.path as osp
import subprocess
import sys

import cv2
import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'avsegformer',
                  'avsegformer_r18-tiny_1xb4-20e_synthetic-ms3-64x64.py')
SEED = 0


def run(*args):
    proc = subprocess.run([sys.executable, *args],
                          cwd=ROOT,
                          capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_tiny_avsegformer_listens(tmp_path):
    data = tmp_path / 'data'
    run('tools/dataset_converters/make_synthetic_avs.py', '--out', str(data),
        '--seed', str(SEED), '--subsets', 'ms3', '--num-train', '24',
        '--num-val', '4', '--num-test', '12', '--size', '64')
    options = ['--cfg-options', f'randomness.seed={SEED}']
    for loader in ('train', 'val', 'test'):
        options += [
            f'{loader}_dataloader.dataset.data_root={data}',
            f'{loader}_dataloader.num_workers=0',
            f'{loader}_dataloader.persistent_workers=False'
        ]
    work = tmp_path / 'work'
    options += [
        'train_cfg.val_interval=20', 'default_hooks.checkpoint.save_best=None'
    ]
    out = run('tools/train.py', CONFIG, '--work-dir', str(work), *options)
    assert 'decode.loss_mix' in out
    run('tools/analysis_tools/audio_reliance.py', CONFIG,
        str(work / 'epoch_20.pth'), '--work-dir', str(work / 'rely'),
        '--conditions', 'true', 'swap', '--cell', '16', *options)
    metrics = json.load(open(work / 'rely' / 'reliance.json'))['metrics']
    true, swap = metrics['true'], metrics['swap']
    # chance: predicting background everywhere scores mJ = the fraction of
    # empty frames (0.20 ... 0.35 for seeds 0-4) and fIoU 0; foreground
    # everywhere fIoU = the foreground fraction (about 0.04)
    masks = [
        cv2.imread(p, cv2.IMREAD_GRAYSCALE) > 0 for p in glob.glob(
            str(data / 'ms3_data' / 'gt_masks' / 'test' / '*' / '*.png'))
    ]
    assert len(masks) == 12 * 5
    empty = sum(not m.any() for m in masks) / len(masks)
    assert true['mJ'] > empty + 0.2, (metrics, empty)
    assert true['fIoU'] > 0.3, metrics
    assert true['fIoU'] > swap['fIoU'] + 0.1, metrics
    assert true['mJ'] > swap['mJ'] + 0.08, metrics
