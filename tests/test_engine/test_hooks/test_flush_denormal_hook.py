# Copyright (c) mmavs contributors. All rights reserved.
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from mmavs.engine.hooks import FlushDenormalHook
from mmavs.utils import denormals_flushed, set_flush_denormal


def nonzero_products(n: int) -> int:
    """Denormals left by ``x * 1.0`` over n float32 denormals x."""
    # 2 ** -130 from its bits: a float conversion would be flushed too
    x = np.full(n, 1 << 19, np.int32).view(np.float32)
    assert x[0] == 2.0**-130 and x[0] < np.finfo(np.float32).tiny
    return int((torch.from_numpy(x) * 1.0).count_nonzero())


@pytest.fixture
def two_threads():
    if not torch.set_flush_denormal(False):
        pytest.skip('this CPU cannot flush denormals')
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    nonzero_products(1 << 20)  # start the worker threads before flushing
    yield
    set_flush_denormal(False)
    torch.set_num_threads(threads)


def test_torch_alone_flushes_the_calling_thread_only(two_threads):
    # the case the hook exists for: half of a parallel op stays denormal
    n = 1 << 20
    torch.set_flush_denormal(True)
    assert 0 < nonzero_products(n) < n
    assert not denormals_flushed()


def test_flushes_on_every_thread_and_restores(two_threads):
    n = 1 << 20
    assert nonzero_products(n) == n
    assert set_flush_denormal(True)
    assert nonzero_products(n) == 0 and nonzero_products(1) == 0
    assert set_flush_denormal(False)
    assert nonzero_products(n) == n


def test_hook_flushes_during_the_run(two_threads):
    runner = SimpleNamespace(logger=None)
    hook = FlushDenormalHook()
    hook.before_run(runner)
    assert denormals_flushed()
    hook.after_run(runner)
    assert nonzero_products(1 << 20) == 1 << 20
