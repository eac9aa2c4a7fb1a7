# Copyright (c) mmavs contributors. All rights reserved.
# mmseg's hooks and optimizer constructors, visible from the mmavs scope.
import mmseg.engine  # noqa: F401

from .hooks import (AVSVisualizationHook, FreezeBackboneHook,  # noqa: E402
                    RandomStateHook)

__all__ = ['AVSVisualizationHook', 'FreezeBackboneHook', 'RandomStateHook']
