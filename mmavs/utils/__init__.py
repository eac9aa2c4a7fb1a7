# Copyright (c) mmavs contributors. All rights reserved.
from .checkpoint import (load_local_checkpoint,
                         patch_mmengine_checkpoint_loading)
from .denormal import denormals_flushed, set_flush_denormal
from .distributed import init_distributed
from .mmcv_ops import mmcv_cuda_ops_available
from .random_state import (get_random_state, seed_worker, set_random_state,
                           worker_seed)
from .safe_unpickle import UnsafePickleError, load_pickle, torch_load
from .set_env import register_all_modules

__all__ = [
    'load_local_checkpoint', 'patch_mmengine_checkpoint_loading',
    'register_all_modules', 'init_distributed', 'mmcv_cuda_ops_available',
    'get_random_state', 'set_random_state', 'seed_worker', 'worker_seed',
    'UnsafePickleError', 'load_pickle', 'torch_load', 'denormals_flushed',
    'set_flush_denormal'
]
