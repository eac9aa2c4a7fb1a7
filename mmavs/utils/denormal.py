# Copyright (c) mmavs contributors. All rights reserved.
import ctypes
import glob
import os.path as osp
from typing import Optional

import torch

#: ``void (*)(void *)``, the body of an OpenMP parallel region.
_REGION_BODY = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
#: Bits of the float32 denormal 2 ** -130 (about 7.3e-40; the smallest
#: normal is 1.2e-38), written as an integer so that no float op (which a
#: flushing thread would round to 0) makes it.
DENORMAL_BITS = 1 << 19


def _torch_openmp() -> Optional[ctypes.CDLL]:
    """The GNU OpenMP runtime torch computes with, or None."""
    if 'parallel backend: OpenMP' not in torch.__config__.parallel_info():
        return None
    lib_dir = osp.join(osp.dirname(torch.__file__), 'lib')
    for name in sorted(glob.glob(osp.join(lib_dir, 'libgomp*.so*'))) + [
            'libgomp.so.1'
    ]:
        try:
            return ctypes.CDLL(name)  # the copy already loaded by torch
        except OSError:
            continue
    return None


#: Elements of the check: enough for torch to split the op over its threads.
_CHECK_SIZE = 1 << 20


def _denormals_left() -> int:
    """How many of ``_CHECK_SIZE`` float32 products ``denormal * 1.0`` stay
    nonzero: 0 when every thread flushes, all when none does."""
    x = torch.full((_CHECK_SIZE, ), DENORMAL_BITS, dtype=torch.int32)
    return int((x.view(torch.float32) * 1.0).count_nonzero())


def denormals_flushed() -> bool:
    """Whether a float32 op on denormals gives zeros on all CPU threads.

    The op is large enough for torch to split it over its intra-op threads,
    so a thread that does not flush leaves denormals in its part.
    """
    return _denormals_left() == 0


def set_flush_denormal(enable: bool) -> bool:
    """Flush denormal floats to zero (or stop) on every CPU thread.

    ``torch.set_flush_denormal`` sets the calling thread only; torch's
    intra-op worker threads keep their own setting. With torch's OpenMP
    runtime (libgomp, the Linux wheels) this also runs it once on each
    thread of an OpenMP team of ``torch.get_num_threads()`` threads, the
    pool torch's parallel ops run on.

    Args:
        enable (bool): Flush (True) or keep denormals (False, the default
            of a process).

    Returns:
        bool: Whether every thread now has the requested setting (False
        when the CPU cannot flush or the worker threads were unreachable).
    """
    if not torch.set_flush_denormal(enable):
        return False
    gomp = _torch_openmp()
    if gomp is not None and torch.get_num_threads() > 1:

        def body(_) -> None:
            torch.set_flush_denormal(enable)

        region = _REGION_BODY(body)
        gomp.GOMP_parallel(region, None,
                           ctypes.c_uint(torch.get_num_threads()),
                           ctypes.c_uint(0))
    return _denormals_left() == (0 if enable else _CHECK_SIZE)
