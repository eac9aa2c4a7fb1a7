# Copyright (c) mmavs contributors. All rights reserved.
from .audio_fusion_head import AudioFusionHead
from .avsbench_head import AVSBenchHead
from .avsegformer_head import AVSegFormerHead
from .cavp_aspp_head import CAVPASPPHead

__all__ = [
    'AudioFusionHead', 'AVSBenchHead', 'AVSegFormerHead', 'CAVPASPPHead'
]
