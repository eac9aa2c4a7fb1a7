# Copyright (c) mmavs contributors. All rights reserved.
"""init_distributed's changes to a config on a machine without CUDA (the
2-process runs themselves: tests/test_tools/test_dist_launchers.py)."""
import pytest
import torch
from mmengine.config import Config

import mmavs.utils.distributed as distributed


@pytest.fixture
def started(monkeypatch) -> list:
    """No CUDA; record init_dist calls instead of starting processes."""
    calls = []

    def init_dist(launcher, **kwargs):
        # mmengine selects a CUDA device whatever the backend
        torch.cuda.set_device(0)
        calls.append((launcher, kwargs))

    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(distributed, 'init_dist', init_dist)
    monkeypatch.setattr(distributed, 'is_distributed', lambda: False)
    return calls


def test_cpu_launch_uses_gloo_and_no_device_ids(started):
    set_device = torch.cuda.set_device
    cfg = Config(
        dict(
            launcher='pytorch',
            env_cfg=dict(dist_cfg=dict(backend='nccl', timeout=60)),
            find_unused_parameters=True))
    distributed.init_distributed(cfg)
    assert started == [('pytorch', dict(backend='gloo', timeout=60))]
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=True,
        device_ids=None)
    assert torch.cuda.set_device is set_device  # restored


def test_own_wrapper_and_backend_kept(started):
    cfg = Config(
        dict(
            launcher='slurm',
            env_cfg=dict(dist_cfg=dict(backend='mpi')),
            model_wrapper_cfg=dict(type='MMDistributedDataParallel',
                                   broadcast_buffers=True)))
    distributed.init_distributed(cfg)
    assert started == [('slurm', dict(backend='mpi'))]
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=True,
        device_ids=None)
    # wrappers that are no DDP get no device_ids from mmengine either
    cfg = Config(
        dict(
            launcher='pytorch',
            model_wrapper_cfg=dict(type='MMFullyShardedDataParallel')))
    distributed.init_distributed(cfg)
    assert cfg.model_wrapper_cfg == dict(
        type='MMFullyShardedDataParallel')


def test_sync_bn_refused_without_cuda(started):
    cfg = Config(dict(launcher='pytorch', sync_bn='torch'))
    with pytest.raises(ValueError, match="sync_bn='torch' needs CUDA"):
        distributed.init_distributed(cfg)
    assert not started


def test_nothing_to_do(started, monkeypatch):
    cfg = Config(dict(launcher='none'))
    distributed.init_distributed(cfg)
    assert not started and 'model_wrapper_cfg' not in cfg
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    cfg = Config(dict(launcher='pytorch'))
    distributed.init_distributed(cfg)  # left to mmengine (NCCL)
    assert not started and 'model_wrapper_cfg' not in cfg
