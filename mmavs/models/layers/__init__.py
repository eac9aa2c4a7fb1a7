# Copyright (c) mmavs contributors. All rights reserved.
from .audio_query_generator import AudioQueryGenerator
from .cavp_aspp import CAVPASPP
from .deformable_encoder import DeformableTransformerEncoder
from .feature_fusion_block import FeatureFusionBlock, ResidualConvUnit
from .positional_encoding import sine_positional_encoding
from .query_transformer_decoder import QueryTransformerDecoder
from .token_mlp import TokenMlp
from .weight_init import xavier_init_matrices

__all__ = [
    'AudioQueryGenerator', 'CAVPASPP', 'DeformableTransformerEncoder',
    'FeatureFusionBlock', 'QueryTransformerDecoder', 'ResidualConvUnit',
    'TokenMlp', 'sine_positional_encoding', 'xavier_init_matrices'
]
