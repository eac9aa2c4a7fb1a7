# Copyright (c) mmavs contributors. All rights reserved.
from .av_add import AVAdd
from .av_attention_block import AVAttentionBlock
from .av_cross_attention import AVCrossAttention
from .cavp_fusion import CAVPFusion
from .cross_modal_mixer import CrossModalMixer
from .tpavi import TPAVI
from .tpavi_block import TPAVIBlock

__all__ = [
    'AVAdd', 'AVAttentionBlock', 'AVCrossAttention', 'CAVPFusion',
    'CrossModalMixer', 'TPAVI', 'TPAVIBlock'
]
