# Copyright (c) mmavs contributors. All rights reserved.
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader

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
