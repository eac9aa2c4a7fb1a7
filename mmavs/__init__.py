# Copyright (c) mmavs contributors. All rights reserved.
from .utils import patch_mmengine_checkpoint_loading
from .version import __version__

# mmengine 0.10.7 cannot load its own checkpoints under torch >= 2.6; any
# run that imports mmavs (configs with default_scope='mmavs' do) is fixed.
patch_mmengine_checkpoint_loading()

__all__ = ['__version__']
