# Copyright (c) mmavs contributors. All rights reserved.
from .pvt_v2 import PyramidVisionTransformerV2

__all__ = ['PyramidVisionTransformerV2']
