# Copyright (c) mmavs contributors. All rights reserved.
import logging
from functools import partial
from typing import List, Optional, Tuple

from mmengine.dataset import worker_init_fn as mmengine_worker_init_fn
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmavs.registry import HOOKS
from mmavs.utils.random_state import (get_random_state, seed_worker,
                                      set_random_state)


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Make a resumed epoch-based run continue exactly as an uninterrupted
    one, random augmentation and random draws of the model included.

    - At the end of every training epoch each process's global random
      states (Python, numpy, torch CPU and CUDA;
      :func:`mmavs.utils.random_state.get_random_state`) are gathered;
      a checkpoint saved at that point (the epoch's, or the best one after
      validation) stores them under ``'random_states'``. The next epoch
      starts from them, in the uninterrupted run as in the resumed one, so
      what happens in between (validation, which draws from the global
      generators) changes nothing.
    - Before every training epoch the train dataloader's workers get the
      ``worker_init_fn`` :func:`mmavs.utils.random_state.seed_worker`:
      seeds from (seed, epoch, rank, worker), so epoch k draws the same
      augmentations whether or not the run was resumed (mmengine's workers
      get the same seeds every epoch). Persistent workers are restarted at
      each epoch for that (a worker start per epoch, as without
      ``persistent_workers``); the val/test loaders are untouched.

    Modules that draw at random (CAVP's re-pairing, sampling) must use the
    global generators (``torch.randperm``, ``np.random``), not a private
    ``torch.Generator``, so these states cover them. A run resumed from a
    checkpoint without the states, or with another number of processes,
    continues with a warning and is not an exact continuation.
    Iteration-based loops get no states (they have no epoch boundary).
    """
    priority = 'VERY_HIGH'  # before CheckpointHook, before other hooks draw

    def __init__(self) -> None:
        # (iteration, this process's states) to start the next epoch from
        self._pending: Optional[Tuple[int, dict]] = None
        self._gathered: Optional[Tuple[int, List[dict]]] = None
        self._started = False

    def before_train_epoch(self, runner) -> None:
        """Restore the states saved at this iteration; seed the workers."""
        if self._pending is not None and self._pending[0] == runner.iter:
            set_random_state(self._pending[1])
        elif not self._started and runner.iter > 0:
            print_log(
                f'RandomStateHook: resumed at iteration {runner.iter} '
                'without the random states of that point (a checkpoint '
                'saved without RandomStateHook, in the middle of an epoch, '
                'or by another number of processes): the run continues '
                'with other random draws than an uninterrupted one.',
                logger='current',
                level=logging.WARNING)
        self._pending = None
        self._seed_workers(runner)
        self._started = True

    def after_train_epoch(self, runner) -> None:
        """Gather the states of every process."""
        states = all_gather_object(get_random_state())
        self._gathered = (runner.iter, states)
        self._pending = (runner.iter, states[get_rank()])

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the states gathered at this iteration, if any."""
        if (self._gathered is not None
                and self._gathered[0] == checkpoint['meta']['iter']):
            checkpoint['random_states'] = dict(
                iter=self._gathered[0], states=self._gathered[1])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keep this process's saved states for the next epoch (a fine-tune
        from ``load_from`` starts at another iteration and ignores them)."""
        saved = checkpoint.get('random_states')
        if saved is not None and len(saved['states']) == get_world_size():
            self._pending = (saved['iter'], saved['states'][get_rank()])

    def _seed_workers(self, runner) -> None:
        """Give the train loader's workers this epoch's seeds."""
        loader = runner.train_loop.dataloader
        if loader.num_workers == 0:
            return  # loading draws from the restored main-process states
        init_fn = loader.worker_init_fn
        if init_fn is not None and getattr(init_fn, 'func', None) not in (
                mmengine_worker_init_fn, seed_worker):
            if not self._started:
                print_log(
                    'RandomStateHook: the train dataloader has a custom '
                    'worker_init_fn; its workers are not seeded per epoch, '
                    'so a resumed run is not an exact continuation.',
                    logger='current',
                    level=logging.WARNING)
            return
        loader.worker_init_fn = partial(
            seed_worker,
            seed=runner.seed,
            epoch=runner.epoch,
            rank=get_rank())
        iterator = loader._iterator
        if loader.persistent_workers and iterator is not None:
            # workers are seeded when they start: start new ones
            iterator._shutdown_workers()
            loader._iterator = None
