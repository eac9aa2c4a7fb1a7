# Copyright (c) mmavs contributors. All rights reserved.
from .avs_metric import AVSMetric
from .avss_metric import AVSSMetric

__all__ = ['AVSMetric', 'AVSSMetric']
