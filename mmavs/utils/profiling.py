# Copyright (c) mmavs contributors. All rights reserved.
"""Timing and peak-memory helpers for ``tools/analysis_tools/benchmark*.py``.

Peak memory is ``torch.cuda.max_memory_allocated`` on CUDA, and on CPU the
peak resident set size of the process (``VmHWM`` of ``/proc/self/status``,
reset through ``/proc/self/clear_refs``, Linux only), each minus its value
when the measurement starts. On CPU, freed heap memory is first handed back
to the system (glibc ``malloc_trim``) so that memory an earlier phase freed
but the allocator kept does not hide the new peak.
"""
import ctypes
import ctypes.util
import statistics
import time
from typing import Callable, List, Optional, Sequence

import torch

_STATUS = '/proc/self/status'
_CLEAR_REFS = '/proc/self/clear_refs'


def _proc_status_mib(key: str) -> float:
    """A ``kB`` field of ``/proc/self/status`` (e.g. ``VmRSS``) in MiB."""
    with open(_STATUS) as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) / 1024
    raise KeyError(f'{key} not in {_STATUS}')


def _malloc_trim() -> None:
    """Return free heap memory to the system (glibc only; else a no-op)."""
    name = ctypes.util.find_library('c')
    libc = ctypes.CDLL(name) if name else None
    if libc is not None and hasattr(libc, 'malloc_trim'):
        libc.malloc_trim(0)


def synchronize(device: str) -> None:
    """Wait for the queued kernels of ``device`` (a no-op on CPU)."""
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize(device)


class PeakMemory:
    """Context manager measuring the peak memory of what runs inside it.

    Args:
        device (str): ``'cpu'`` or a CUDA device.

    Attributes:
        peak_mib (float | None): Peak memory above the level at entry, in
            MiB, after exit; None on CPU where ``/proc`` is unavailable.
    """

    def __init__(self, device: str) -> None:
        self.cuda = torch.device(device).type == 'cuda'
        self.device = device
        self.peak_mib: Optional[float] = None

    def __enter__(self) -> 'PeakMemory':
        synchronize(self.device)
        if self.cuda:
            torch.cuda.reset_peak_memory_stats(self.device)
            self._base = torch.cuda.memory_allocated(self.device) / 2**20
            return self
        _malloc_trim()
        try:
            with open(_CLEAR_REFS, 'w') as f:
                f.write('5')  # resets VmHWM to the current RSS
            self._base = _proc_status_mib('VmRSS')
        except OSError:
            self._base = None
        return self

    def __exit__(self, *exc) -> None:
        synchronize(self.device)
        if self.cuda:
            peak = torch.cuda.max_memory_allocated(self.device) / 2**20
        elif self._base is None:
            return
        else:
            peak = _proc_status_mib('VmHWM')
        self.peak_mib = peak - self._base


def time_runs(fn: Callable[[], object], device: str, warmup: int,
              repeat: int, iters: int) -> List[float]:
    """Seconds per call of ``fn``: ``warmup`` untimed calls, then ``repeat``
    runs of ``iters`` calls each, one mean per run."""
    if warmup < 0 or repeat < 1 or iters < 1:
        raise ValueError('need warmup >= 0, repeat >= 1 and iters >= 1, got '
                         f'{warmup}, {repeat}, {iters}')
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        synchronize(device)
        start = time.perf_counter()
        for _ in range(iters):
            fn()
        synchronize(device)
        times.append((time.perf_counter() - start) / iters)
    return times


def mean_std(values: Sequence[float], fmt: str = '.2f') -> str:
    """``'mean ± std'`` (sample std; 0 for a single value)."""
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f'{statistics.fmean(values):{fmt}} ± {std:{fmt}}'


def markdown_table(header: Sequence[str],
                   rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table."""
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)
