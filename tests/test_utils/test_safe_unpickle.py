# Copyright (c) mmavs contributors. All rights reserved.
"""Crafted pickles are refused before they can change anything; genuine
mmengine and torch files still load."""
import builtins
import pickle
from unittest import mock

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, history_buffer
from mmengine.runner import CheckpointLoader

import mmavs  # noqa: F401  (patches mmengine's loader on import)
from mmavs.utils import UnsafePickleError, load_pickle, torch_load
from mmavs.utils.safe_unpickle import history_buffer_method


class Reduce:
    """Pickles as ``func(*args)``, then ``state`` (BUILD) and ``items``
    (SETITEMS), whatever ``func`` is."""

    def __init__(self, func, args, state=None, items=None):
        self.func, self.args, self.state, self.items = func, args, state, items

    def __reduce__(self):
        return (self.func, self.args, self.state, None,
                iter(self.items) if self.items else None)


def builtins_module():
    return Reduce(getattr, (getattr, '__self__'))


def payload_builtins_dict(marker):
    """``getattr(builtins, '__dict__')['mmavs_pwned'] = True``."""
    return Reduce(
        getattr, (builtins_module(), '__dict__'),
        items=[('mmavs_pwned', True)])


def payload_module_globals(marker):
    """Rebinds ``np`` in mmengine's history_buffer module through
    ``HistoryBuffer.mean.__globals__``."""
    return Reduce(
        getattr, (HistoryBuffer.mean, '__globals__'),
        items=[('np', 'pwned')])


def payload_os_system(marker):
    """A plain ``os.system`` global."""
    import os
    return Reduce(os.system, (f'touch {marker}', ))


def payload_eval_via_getattr(marker):
    """``builtins.eval`` reached through getattr and called by torch's
    allowed ``_rebuild_from_type_v2(func, type, args, state)``: runs
    ``os.system``."""
    code = f"__import__('os').system('touch {marker}')"
    evaluate = Reduce(getattr, (builtins_module(), 'eval'))
    return Reduce(torch._tensor._rebuild_from_type_v2,
                  (evaluate, torch.Tensor, (code, ), {}))


def payload_history_buffer_state(marker):
    """An allowed type with a hostile state: a HistoryBuffer whose
    ``statistics_methods`` would make every buffer's ``mean`` its max."""
    state = dict(
        max_length=10,
        _log_history=np.array([1.]),
        _count_history=np.array([1]),
        statistics_methods=dict(mean=HistoryBuffer.max))
    return hostile_buffer(state)


def hostile_buffer(state):
    """A HistoryBuffer that pickles as exactly ``state`` (see save)."""
    buf = HistoryBuffer.__new__(HistoryBuffer)
    vars(buf).update(state)
    return buf


PAYLOADS = dict(
    builtins_dict=payload_builtins_dict,
    module_globals=payload_module_globals,
    os_system=payload_os_system,
    eval_via_getattr=payload_eval_via_getattr,
    history_buffer_state=payload_history_buffer_state)


@pytest.fixture
def untouched(tmp_path):
    """A marker path no payload may create; checks (and repairs) every
    place a payload would write to."""
    HistoryBuffer()  # registers the default statistics methods
    saved_builtins = dict(vars(builtins))
    saved_module = dict(vars(history_buffer))
    saved_methods = dict(HistoryBuffer._statistics_methods)
    marker = tmp_path / 'pwned'
    yield marker
    changed = dict(
        builtins=set(vars(builtins)) ^ set(saved_builtins),
        module=history_buffer.np is not np,
        methods=HistoryBuffer._statistics_methods != saved_methods,
        marker=marker.exists())
    vars(builtins).pop('mmavs_pwned', None)
    vars(history_buffer).update(saved_module)
    HistoryBuffer._statistics_methods.clear()
    HistoryBuffer._statistics_methods.update(saved_methods)
    assert not any(changed.values()), changed


def save(obj, path, fmt, raw_state=True):
    """Save as a plain pickle or a torch zip / legacy file; with
    ``raw_state`` a HistoryBuffer pickles its ``__dict__`` unchanged."""
    getstate = (lambda self: dict(vars(self))) if raw_state else \
        HistoryBuffer.__getstate__
    with mock.patch.object(HistoryBuffer, '__getstate__', getstate):
        if fmt == 'pickle':
            with open(path, 'wb') as f:
                pickle.dump(obj, f)
        else:
            torch.save(
                obj, path, _use_new_zipfile_serialization=fmt == 'zip')


@pytest.mark.parametrize('fmt', ['zip', 'legacy'])
@pytest.mark.parametrize('name', sorted(PAYLOADS))
def test_crafted_checkpoint_refused(tmp_path, untouched, name, fmt):
    path = tmp_path / f'{name}.pth'
    save(dict(meta=PAYLOADS[name](untouched), state_dict={}), path, fmt)
    with pytest.raises(UnsafePickleError, match=f'{name}.pth: refused'):
        CheckpointLoader.load_checkpoint(str(path))


@pytest.mark.parametrize('name', sorted(PAYLOADS))
def test_crafted_plain_pickle_refused(tmp_path, untouched, name):
    """Plain pickles (log-mel ``.pkl``) follow the same rules."""
    path = tmp_path / f'{name}.pkl'
    save([PAYLOADS[name](untouched)], path, 'pickle')
    with pytest.raises(UnsafePickleError, match=f'{name}.pkl: refused'):
        load_pickle(path)


def test_torch_refuses_plain_pickles(tmp_path):
    """torch.load reads no plain pickle, so checkpoints need no second
    path."""
    path = tmp_path / 'plain.pth'
    save({'w': torch.ones(2)}, path, 'pickle')
    with pytest.raises(pickle.UnpicklingError):
        torch_load(path)


def test_getattr_stand_in():
    assert history_buffer_method(HistoryBuffer, 'mean') is HistoryBuffer.mean
    for args in [(HistoryBuffer, 'statistics'), (getattr, '__self__'),
                 (HistoryBuffer.mean, '__globals__'), (HistoryBuffer, )]:
        with pytest.raises(UnsafePickleError, match='refused'):
            history_buffer_method(*args)


@pytest.mark.parametrize('state', [
    dict(_log_history=np.array(['a'])),
    dict(max_length=True),
    dict(update=1.0),
    dict(statistics_methods=dict(current=HistoryBuffer.current, std=None)),
])
def test_history_buffer_state_checked(tmp_path, untouched, state):
    path = tmp_path / 'buf.pth'
    save(hostile_buffer(state), path, 'zip')
    with pytest.raises(UnsafePickleError, match='HistoryBuffer'):
        torch_load(path)


def test_genuine_files_load(tmp_path, untouched):
    buf = HistoryBuffer()
    buf.update(1.5)
    buf.update(2.5, count=2)
    obj = dict(
        meta=dict(
            log_scalars={'loss': buf},
            seed=np.int64(3),
            lr=np.float32(0.5),
            dtype=np.dtype('float16'),
            arr=np.arange(6, dtype=np.uint8).reshape(2, 3)),
        state_dict={'w': torch.ones(2, dtype=torch.float16)},
        optimizer={'state': {0: {'step': torch.tensor(3.)}}})
    for fmt in ('zip', 'legacy'):
        path = tmp_path / f'genuine_{fmt}.pth'
        save(obj, path, fmt, raw_state=False)
        ckpt = torch_load(path)
        loaded = ckpt['meta']['log_scalars']['loss']
        assert type(loaded) is HistoryBuffer
        assert loaded.mean() == buf.mean() and loaded.current() == 2.5
        assert loaded.statistics('max') == 2.5
        assert ckpt['meta']['seed'] == 3 and type(
            ckpt['meta']['seed']) is np.int64
        assert ckpt['meta']['dtype'] == np.float16
        np.testing.assert_array_equal(ckpt['meta']['arr'], obj['meta']['arr'])
        assert torch.equal(ckpt['state_dict']['w'], obj['state_dict']['w'])
    # a plain pickle of a tensor and of an array (official log-mel files)
    for value in (torch.arange(4.), np.arange(4.)):
        path = tmp_path / 'plain.pkl'
        save(value, path, 'pickle')
        np.testing.assert_array_equal(
            np.asarray(load_pickle(path)), np.arange(4.))
