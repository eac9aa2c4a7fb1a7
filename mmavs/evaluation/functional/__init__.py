# Copyright (c) mmavs contributors. All rights reserved.
from .avs_metrics import (fscore_curves, fscore_thresholds, mask_jaccard,
                          threshold_counts, video_fscore,
                          video_fscore_from_counts)

__all__ = [
    'mask_jaccard', 'fscore_thresholds', 'threshold_counts', 'fscore_curves',
    'video_fscore_from_counts', 'video_fscore'
]
