# Copyright (c) mmavs contributors. All rights reserved.
"""The global random states of Python, numpy and torch, and per-epoch seeds
of dataloader workers (see :class:`mmavs.engine.hooks.RandomStateHook`).

A state is kept as tensors and plain Python values, so that it pickles into
a checkpoint that loads with ``torch.load(weights_only=True)``.
"""
import random

import numpy as np
import torch


def get_random_state() -> dict:
    """The current global random states.

    Returns:
        dict: ``python`` (``random.getstate()``), ``numpy`` (the legacy
        MT19937 state: ``keys`` as an int64 tensor (624,), ``pos``,
        ``has_gauss``, ``cached_gaussian``), ``torch`` (CPU generator, uint8
        tensor) and ``cuda`` (the current CUDA device's generator, None
        without CUDA).
    """
    _, keys, pos, has_gauss, cached = np.random.get_state(legacy=True)
    return dict(
        python=random.getstate(),
        numpy=dict(
            keys=torch.from_numpy(keys.astype(np.int64)),
            pos=int(pos),
            has_gauss=int(has_gauss),
            cached_gaussian=float(cached)),
        torch=torch.get_rng_state(),
        cuda=torch.cuda.get_rng_state()
        if torch.cuda.is_available() else None)


def set_random_state(state: dict) -> None:
    """Restore states made by :func:`get_random_state`.

    The CUDA state is restored only where CUDA is available (a CPU run
    resumed on a GPU keeps its CUDA generator as seeded).

    Args:
        state (dict): The states.
    """
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    np_state = state['numpy']
    np.random.set_state(
        ('MT19937', np_state['keys'].numpy().astype(np.uint32),
         np_state['pos'], np_state['has_gauss'],
         np_state['cached_gaussian']))
    # a checkpoint resumed with map_location='cuda' holds CUDA tensors
    torch.set_rng_state(state['torch'].cpu())
    if state.get('cuda') is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state(state['cuda'].cpu())


def worker_seed(seed: int, epoch: int, rank: int, worker_id: int) -> int:
    """The seed of a dataloader worker: a 32-bit hash of its four
    coordinates (numpy ``SeedSequence``), so no two (epoch, rank, worker)
    share a seed, unlike ``seed + rank * num_workers + worker_id``.

    Args:
        seed (int): The run's seed (non-negative).
        epoch (int): The epoch (0-based).
        rank (int): The process rank.
        worker_id (int): The worker index within the process.

    Returns:
        int: A seed in [0, 2**32).
    """
    sequence = np.random.SeedSequence([seed, epoch, rank, worker_id])
    return int(sequence.generate_state(1)[0])


def seed_worker(worker_id: int, seed: int, epoch: int, rank: int) -> None:
    """``worker_init_fn`` that seeds Python, numpy and torch with
    :func:`worker_seed`.

    Args:
        worker_id (int): Set by the dataloader.
        seed (int): The run's seed.
        epoch (int): The epoch the worker loads.
        rank (int): The process rank.
    """
    value = worker_seed(seed, epoch, rank, worker_id)
    random.seed(value)
    np.random.seed(value)
    torch.manual_seed(value)
