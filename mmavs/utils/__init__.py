# Copyright (c) mmavs contributors. All rights reserved.
from .checkpoint import (load_local_checkpoint, mmengine_checkpoint_globals,
                         patch_mmengine_checkpoint_loading)
from .mmcv_ops import mmcv_cuda_ops_available
from .set_env import register_all_modules

__all__ = [
    'load_local_checkpoint', 'mmcv_cuda_ops_available',
    'mmengine_checkpoint_globals',
    'patch_mmengine_checkpoint_loading', 'register_all_modules'
]
