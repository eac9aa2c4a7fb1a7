# Copyright (c) mmavs contributors. All rights reserved.
"""RandomStateHook on a real DataLoader with worker processes and a stand-in
runner: epoch 2 of an uninterrupted run equals epoch 2 of a run resumed
from the checkpoint of epoch 1, in the workers and in the main process."""
import random
from functools import partial
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.runner import CheckpointLoader
from torch.utils.data import DataLoader, Dataset

from mmavs.engine import RandomStateHook


class RandomDraws(Dataset):
    """Each item is a draw of Python's, numpy's and torch's generators."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> list:
        return [random.random(), np.random.rand(), torch.rand(()).item()]


def make_runner(persistent: bool, epoch: int = 0) -> SimpleNamespace:
    loader = DataLoader(
        RandomDraws(),
        batch_size=2,
        num_workers=2,
        persistent_workers=persistent)
    return SimpleNamespace(
        train_loop=SimpleNamespace(dataloader=loader),
        seed=7,
        epoch=epoch,
        iter=2 * epoch)


def run_epoch(hook: RandomStateHook, runner: SimpleNamespace) -> list:
    """Data and a main-process (model) draw of one epoch."""
    hook.before_train_epoch(runner)
    data = [[t.tolist() for t in batch]
            for batch in runner.train_loop.dataloader]
    model_draw = torch.rand(2).tolist()
    runner.iter += 2
    hook.after_train_epoch(runner)
    runner.epoch += 1
    return [data, model_draw]


def validate() -> None:
    """Draws between epochs that a resumed run does not make."""
    torch.rand(5)
    np.random.rand(3)


@pytest.mark.parametrize('persistent', [True, False])
def test_resumed_epoch_equals_uninterrupted_epoch(persistent, tmp_path):
    torch.manual_seed(0)
    hook, runner = RandomStateHook(), make_runner(persistent)
    epochs = [run_epoch(hook, runner)]
    validate()
    epochs.append(run_epoch(hook, runner))
    checkpoint = dict(meta=dict(epoch=2, iter=runner.iter))
    hook.before_save_checkpoint(runner, checkpoint)
    validate()
    epochs.append(run_epoch(hook, runner))
    # every epoch draws other augmentations
    assert epochs[0][0] != epochs[1][0] != epochs[2][0]

    torch.save(checkpoint, tmp_path / 'epoch_2.pth')
    checkpoint = CheckpointLoader.load_checkpoint(
        str(tmp_path / 'epoch_2.pth'), map_location='cpu')
    torch.manual_seed(1)  # a new process: other states
    np.random.seed(1)
    resumed_hook, resumed = RandomStateHook(), make_runner(persistent, 2)
    resumed_hook.after_load_checkpoint(resumed, checkpoint)
    assert run_epoch(resumed_hook, resumed) == epochs[2]


def test_states_ignored_at_another_iteration():
    hook, runner = RandomStateHook(), make_runner(False)
    run_epoch(hook, runner)
    checkpoint = dict(meta=dict(epoch=1, iter=runner.iter))
    hook.before_save_checkpoint(runner, checkpoint)
    assert checkpoint['random_states']['iter'] == 2
    assert len(checkpoint['random_states']['states']) == 1  # one process
    torch.manual_seed(3)
    expected = torch.rand(3)
    # a fine-tune from load_from starts at iteration 0: states not applied
    fine_tune_hook, fine_tune = RandomStateHook(), make_runner(False)
    fine_tune_hook.after_load_checkpoint(fine_tune, checkpoint)
    torch.manual_seed(3)
    fine_tune_hook.before_train_epoch(fine_tune)
    assert torch.equal(torch.rand(3), expected)
    # at the checkpoint's iteration they are
    resumed_hook, resumed = RandomStateHook(), make_runner(False, 1)
    resumed_hook.after_load_checkpoint(resumed, checkpoint)
    torch.manual_seed(3)
    resumed_hook.before_train_epoch(resumed)
    assert not torch.equal(torch.rand(3), expected)


def test_custom_worker_init_fn_kept():

    def init_fn(worker_id: int) -> None:
        pass

    runner = make_runner(False)
    runner.train_loop.dataloader.worker_init_fn = init_fn
    RandomStateHook().before_train_epoch(runner)
    assert runner.train_loop.dataloader.worker_init_fn is init_fn
    runner = make_runner(False)
    RandomStateHook().before_train_epoch(runner)
    init = runner.train_loop.dataloader.worker_init_fn
    assert isinstance(init, partial)
    assert init.keywords == dict(seed=7, epoch=0, rank=0)
