# Copyright (c) mmavs contributors. All rights reserved.
from .avsbench_head import AVSBenchHead

__all__ = ['AVSBenchHead']
