# Copyright (c) mmavs contributors. All rights reserved.
from .checkpoint import (load_local_checkpoint,
                         patch_mmengine_checkpoint_loading)
from .safe_unpickle import UnsafePickleError, load_pickle, torch_load
from .set_env import register_all_modules

__all__ = [
    'load_local_checkpoint', 'patch_mmengine_checkpoint_loading',
    'register_all_modules', 'UnsafePickleError', 'load_pickle', 'torch_load'
]
