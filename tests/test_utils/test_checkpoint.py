# Copyright (c) mmavs contributors. All rights reserved.
import pickle

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.runner import CheckpointLoader, Runner

import mmavs  # noqa: F401  (patches mmengine's loader on import)


class Untrusted:
    pass


def test_mmengine_checkpoint_loads(tmp_path):
    buf = HistoryBuffer()
    buf.update(1.5)
    path = tmp_path / 'epoch_1.pth'
    torch.save(
        dict(
            meta=dict(
                epoch=1,
                iter=7,
                seed=np.int64(3),
                message_hub=dict(log_scalars={'loss': buf}),
                arr=np.arange(3.)),
            state_dict={'w': torch.ones(2)}), path)
    # the failure mmavs fixes: torch >= 2.6 refuses these types by default
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
    ckpt = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    assert ckpt['meta']['iter'] == 7
    assert ckpt['meta']['message_hub']['log_scalars']['loss'].current() == 1.5
    assert ckpt['meta']['arr'].tolist() == [0., 1., 2.]
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))


def test_untrusted_pickle_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'x': Untrusted()}, path)
    with pytest.raises(pickle.UnpicklingError):
        CheckpointLoader.load_checkpoint(str(path))


def test_missing_file():
    with pytest.raises(FileNotFoundError, match='nowhere.pth'):
        CheckpointLoader.load_checkpoint('nowhere.pth')


class _ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        loss = self.linear(inputs).square().mean()
        return dict(loss=loss) if mode == 'loss' else [loss]


class _NumpyInfoHook(Hook):
    """Puts numpy scalars, arrays and dtypes in the message hub, which
    mmengine saves with the checkpoint."""

    def after_train_iter(self, runner, *args, **kwargs):
        runner.message_hub.update_info('np_scalar', np.float64(0.25))
        runner.message_hub.update_info('np_array', np.arange(3))
        runner.message_hub.update_info('np_dtype', np.dtype('int16'))


def _runner(work_dir, **kwargs):
    data = [dict(inputs=torch.ones(2))] * 4
    return Runner(
        model=_ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=data,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate'),
            batch_size=2),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=4),
        default_hooks=dict(
            checkpoint=dict(
                type='CheckpointHook', interval=2, by_epoch=False)),
        custom_hooks=[dict(type=_NumpyInfoHook)],
        experiment_name=f'toy_{work_dir.name}',
        default_scope='mmavs',
        **kwargs)


def test_runner_checkpoint_loads_and_resumes(tmp_path):
    """A checkpoint written by a real mmengine Runner (message hub with
    HistoryBuffers and numpy values, optimizer and scheduler state) loads,
    and ``resume`` (the path of ``tools/train.py --resume``) continues it."""
    runner = _runner(tmp_path / 'first')
    runner.train()
    path = tmp_path / 'first' / 'iter_2.pth'
    ckpt = CheckpointLoader.load_checkpoint(str(path))
    hub = ckpt['message_hub']
    assert isinstance(hub['log_scalars']['train/loss'], HistoryBuffer)
    assert hub['runtime_info']['np_array'].tolist() == [0, 1, 2]
    assert hub['runtime_info']['np_dtype'] == np.int16
    resumed = _runner(tmp_path / 'second', resume=True, load_from=str(path))
    resumed.load_or_resume()
    assert resumed.iter == 2
    assert resumed.message_hub.get_info('np_scalar') == 0.25
