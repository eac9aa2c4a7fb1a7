# Copyright (c) mmavs contributors. All rights reserved.
import functools


@functools.lru_cache(maxsize=None)
def mmcv_cuda_ops_available() -> bool:
    """Whether the installed mmcv was compiled with its CUDA ops.

    An mmcv built with ``FORCE_CUDA=0`` (the CPU build of
    ``tools/setup_env.sh`` on a machine without a GPU) reports its compiling
    CUDA version as ``'not available'``; its ops then fail on CUDA tensors.
    """
    from mmcv.ops import get_compiling_cuda_version
    return get_compiling_cuda_version() != 'not available'
