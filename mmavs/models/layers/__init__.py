# Copyright (c) mmavs contributors. All rights reserved.
from .cavp_aspp import CAVPASPP
from .feature_fusion_block import FeatureFusionBlock, ResidualConvUnit
from .token_mlp import TokenMlp

__all__ = ['CAVPASPP', 'FeatureFusionBlock', 'ResidualConvUnit', 'TokenMlp']
