# Copyright (c) mmavs contributors. All rights reserved.
# mmseg's SegLocalVisualizer and backends, visible from the mmavs scope.
import mmseg.visualization  # noqa: F401

from .fusion_aux import FusionAuxRecorder  # noqa: E402
from .local_visualizer import AVSLocalVisualizer  # noqa: E402
from .overlay import attention_heatmap, overlay_mask  # noqa: E402

__all__ = [
    'AVSLocalVisualizer', 'FusionAuxRecorder', 'attention_heatmap',
    'overlay_mask'
]
