# Copyright (c) mmavs contributors. All rights reserved.
from .visualization_hook import AVSVisualizationHook

__all__ = ['AVSVisualizationHook']
