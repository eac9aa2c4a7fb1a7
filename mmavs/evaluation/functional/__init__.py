# Copyright (c) mmavs contributors. All rights reserved.
from .avs_metrics import (fscore_curves, fscore_thresholds, mask_jaccard,
                          threshold_counts, video_fscore,
                          video_fscore_from_counts)
from .avss_metrics import (avss_frame_scores, avss_j_and_f, class_pixel_counts,
                           class_scores)

__all__ = [
    'mask_jaccard', 'fscore_thresholds', 'threshold_counts', 'fscore_curves',
    'video_fscore_from_counts', 'video_fscore', 'avss_frame_scores',
    'avss_j_and_f', 'class_pixel_counts', 'class_scores'
]
