# Copyright (c) mmavs contributors. All rights reserved.
"""The stock launchers on a CPU-only machine (gloo), from a shell without
an activated virtual environment: 2-process training, and 2-process testing
(torchrun and slurm) that gives exactly the 1-process J and F on a test
split of 3 clips (the sampler pads rank 1 with clip 0; the metric keeps
one result per clip, so mmengine's truncation to len(dataset) drops it)."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'cavp',
                  'cavp_r18-tiny_1xb4-2e_synthetic-avss-64x64.py')
# srun stand-in: runs the command once per task with the SLURM_* variables
# mmengine reads (rank, local rank, task count, node list)
FAKE_SRUN = r'''#!/usr/bin/env bash
ntasks=1
while [ $# -gt 0 ]; do
    case $1 in
        --ntasks=*) ntasks=${1#--ntasks=}; shift ;;
        -p) shift 2 ;;
        -*) shift ;;
        *) break ;;
    esac
done
echo "srun: $ntasks tasks" >&2
pids=()
for ((i = 0; i < ntasks; i++)); do
    SLURM_PROCID=$i SLURM_LOCALID=$i SLURM_NTASKS=$ntasks \
    SLURM_NODELIST=localhost "$@" & pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
'''


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def run(*args, **env) -> str:
    # no activated venv, no torchrun on PATH: the launchers find the
    # interpreter through MMAVS_VENV
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ('PYTHONPATH', 'VIRTUAL_ENV', 'PYTHON')
    }
    proc = subprocess.run(['bash', *args],
                          cwd=ROOT,
                          capture_output=True,
                          text=True,
                          env=dict(
                              base,
                              PATH=env.pop('PATH', '/usr/bin:/bin'),
                              MMAVS_VENV=sys.prefix,
                              OMP_NUM_THREADS='1',
                              CUDA_VISIBLE_DEVICES='',
                              **env))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def odd_avss_root(tmp_path_factory, synthetic_avss) -> str:
    """Synthetic AVSS with 6 training clips and 3 val / test clips."""
    root = str(tmp_path_factory.mktemp('odd_avss'))
    synthetic_avss.make_synthetic_avss(
        root,
        seed=0,
        num_clips={
            s: dict(train=2, val=1, test=1)
            for s in ('v1s', 'v1m', 'v2')
        },
        size=32)
    return root


@pytest.mark.slow
def test_two_process_train_and_exact_test(odd_avss_root, tmp_path):
    options = ['--cfg-options']
    for split in ('train', 'val', 'test'):
        options += [
            f'{split}_dataloader.dataset.data_root={odd_avss_root}',
            f'{split}_dataloader.num_workers=0',
            f'{split}_dataloader.persistent_workers=False'
        ]
    # 6 clips over 2 processes, batch 4: 1 iteration, then validation
    work = tmp_path / 'train'
    out = run('tools/dist_train.sh', CONFIG, '2', '--work-dir', str(work),
              *options, 'train_cfg.max_epochs=1', PORT=free_port())
    assert 'distributed backend gloo' in out
    assert 'Distributed training: True' in out and 'GPU number: 2' in out
    assert 'Epoch(train) [1][1/1]' in out and 'Epoch(val) [1][2/2]' in out
    ckpt = str(work / 'epoch_1.pth')
    assert torch.load(ckpt, weights_only=False)['meta']['iter'] == 1

    def metrics(name: str) -> dict:
        return json.load(open(tmp_path / name / 'test_metrics.json'))

    run('-c', f'"{sys.executable}" tools/test.py "$@"', '-', CONFIG, ckpt,
        '--work-dir', str(tmp_path / 'one'), *options, PYTHONPATH=ROOT)
    run('tools/dist_test.sh', CONFIG, ckpt, '2', '--work-dir',
        str(tmp_path / 'torchrun'), *options, PORT=free_port())
    assert metrics('torchrun') == metrics('one')

    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(FAKE_SRUN)
    (bin_dir / 'srun').chmod(0o755)
    out = run(
        'tools/slurm_test.sh',
        'cpu',
        'mmavs-test',
        CONFIG,
        ckpt,
        '--work-dir',
        str(tmp_path / 'slurm'),
        *options,
        PATH=f'{bin_dir}:/usr/bin:/bin',
        NPROC='2',
        NPROC_PER_NODE='2',
        GPUS_PER_NODE='0',
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=free_port())
    assert 'srun: 2 tasks' in out
    assert metrics('slurm') == metrics('one')
    assert {'J', 'F'} <= set(metrics('one'))
