# Copyright (c) mmavs contributors. All rights reserved.
from .checkpoint import (load_local_checkpoint, mmengine_checkpoint_globals,
                         patch_mmengine_checkpoint_loading)
from .set_env import register_all_modules

__all__ = [
    'load_local_checkpoint', 'mmengine_checkpoint_globals',
    'patch_mmengine_checkpoint_loading', 'register_all_modules'
]
