# Copyright (c) mmavs contributors. All rights reserved.
# mmengine only searches the parent registry's already-imported modules, so
# import mmseg's metrics before mmavs registers (and configs look up) its own
import mmseg.evaluation  # noqa: F401

from . import functional
from .metrics import AVSMetric, AVSSMetric

__all__ = ['AVSMetric', 'AVSSMetric', 'functional']
