# Copyright (c) mmavs contributors. All rights reserved.
from .tpavi import TPAVI
from .tpavi_block import TPAVIBlock

__all__ = ['TPAVI', 'TPAVIBlock']
