# Copyright (c) mmavs contributors. All rights reserved.
from .formatting import PackAVSInputs
from .geometric import AVSRandomFlip, AVSResize
from .loading import LoadAVSAnnotations, LoadAVSFrames
from .loading_audio import ComputeVGGishExamples, LoadAudio, LoadVGGishExamples

__all__ = [
    'AVSRandomFlip', 'AVSResize', 'ComputeVGGishExamples',
    'LoadAVSAnnotations', 'LoadAVSFrames', 'LoadAudio', 'LoadVGGishExamples',
    'PackAVSInputs'
]
