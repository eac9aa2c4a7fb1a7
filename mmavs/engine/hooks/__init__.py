# Copyright (c) mmavs contributors. All rights reserved.
from .flush_denormal_hook import FlushDenormalHook
from .freeze_backbone_hook import FreezeBackboneHook
from .random_state_hook import RandomStateHook
from .visualization_hook import AVSVisualizationHook

__all__ = [
    'AVSVisualizationHook', 'FlushDenormalHook', 'FreezeBackboneHook',
    'RandomStateHook'
]
