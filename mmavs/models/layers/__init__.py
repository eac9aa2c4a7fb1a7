# Copyright (c) mmavs contributors. All rights reserved.
from .feature_fusion_block import FeatureFusionBlock, ResidualConvUnit

__all__ = ['FeatureFusionBlock', 'ResidualConvUnit']
