# Copyright (c) mmavs contributors. All rights reserved.
from .audio_query_generator import AudioQueryGenerator
from .deformable_encoder import DeformableTransformerEncoder
from .feature_fusion_block import FeatureFusionBlock, ResidualConvUnit
from .positional_encoding import sine_positional_encoding
from .query_transformer_decoder import QueryTransformerDecoder

__all__ = [
    'AudioQueryGenerator', 'DeformableTransformerEncoder',
    'FeatureFusionBlock', 'QueryTransformerDecoder', 'ResidualConvUnit',
    'sine_positional_encoding'
]
