# Copyright (c) mmavs contributors. All rights reserved.
"""Start multi-process runs on GPU and on CPU-only machines.

mmengine 0.10.7's ``init_dist`` calls ``torch.cuda.set_device`` whatever the
backend, and its ``Runner.wrap_model`` gives ``DistributedDataParallel``
``device_ids=[LOCAL_RANK]``; both fail without CUDA. On such a machine
:func:`init_distributed` chooses gloo, initialises the process group itself
(without selecting a CUDA device) and makes the model wrapper take no
device ids. With CUDA the config is left to mmengine (NCCL by default).
"""
from contextlib import contextmanager
from typing import Iterator

import torch
from mmengine.config import Config
from mmengine.dist import init_dist, is_distributed
from mmengine.logging import print_log
from torch.nn.parallel import DistributedDataParallel

from mmavs.registry import MODEL_WRAPPERS


@contextmanager
def _no_cuda_device_selection() -> Iterator[None]:
    """Make ``torch.cuda.set_device`` a no-op (there is no device)."""
    set_device = torch.cuda.set_device
    torch.cuda.set_device = lambda device: None
    try:
        yield
    finally:
        torch.cuda.set_device = set_device


def init_distributed(cfg: Config) -> None:
    """Initialise the process group of ``cfg.launcher`` on a machine
    without CUDA; do nothing with CUDA, or for ``launcher='none'``.

    ``env_cfg.dist_cfg.backend`` 'nccl' (the default runtime's) becomes
    'gloo', and a ``DistributedDataParallel`` ``model_wrapper_cfg`` gets
    ``device_ids=None`` (when the config has none, the default wrapper
    ``MMDistributedDataParallel`` with mmengine's defaults
    ``broadcast_buffers=False`` and ``cfg.find_unused_parameters``).

    Args:
        cfg (Config): The run's config, ``launcher`` set; modified in
            place.

    Raises:
        ValueError: ``cfg.sync_bn`` is set (SyncBN needs GPUs).
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    if cfg.get('sync_bn') is not None:
        raise ValueError(f'sync_bn={cfg.sync_bn!r} needs CUDA (DDP takes '
                         'SyncBatchNorm on GPU modules only); this machine '
                         'has none: drop sync_bn for a CPU run')
    env_cfg = cfg.setdefault('env_cfg', dict())
    dist_cfg = env_cfg.setdefault('dist_cfg', dict())
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        print_log('No CUDA: distributed backend gloo instead of nccl.',
                  logger='current')
        dist_cfg['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper_type = MODEL_WRAPPERS.get(
        wrapper.get('type', 'MMDistributedDataParallel'))
    if issubclass(wrapper_type, DistributedDataParallel):
        # mmengine passes DDP device_ids=[LOCAL_RANK]; a CPU module takes none
        wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper
    if not is_distributed():
        with _no_cuda_device_selection():
            init_dist(cfg.launcher, **dist_cfg)
