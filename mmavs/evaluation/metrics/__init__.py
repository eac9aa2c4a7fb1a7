# Copyright (c) mmavs contributors. All rights reserved.
from .avs_metric import AVSMetric

__all__ = ['AVSMetric']
