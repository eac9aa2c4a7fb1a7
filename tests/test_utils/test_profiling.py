# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch

from mmavs.utils.profiling import (PeakMemory, markdown_table, mean_std,
                                   time_runs)


def test_peak_memory_sees_a_freed_allocation_on_cpu():
    with PeakMemory('cpu') as memory:
        x = torch.ones(64 * 2**20 // 4)  # 64 MiB, written so it is resident
        del x
    assert 60 <= memory.peak_mib <= 100
    with PeakMemory('cpu') as small:
        torch.ones(1024)
    assert small.peak_mib < 16


def test_time_runs_counts_calls():
    calls = []
    times = time_runs(lambda: calls.append(1), 'cpu', warmup=2, repeat=3,
                      iters=4)
    assert len(times) == 3 and len(calls) == 2 + 3 * 4
    assert all(t >= 0 for t in times)
    with pytest.raises(ValueError, match='repeat >= 1'):
        time_runs(lambda: None, 'cpu', warmup=0, repeat=0, iters=1)


def test_mean_std_and_table():
    assert mean_std([1.0, 2.0, 3.0]) == '2.00 ± 1.00'
    assert mean_std([0.5], '.1f') == '0.5 ± 0.0'
    assert markdown_table(('a', 'b'), [(1, 'x')]) == ('| a | b |\n'
                                                      '|---|---|\n'
                                                      '| 1 | x |')
