# Copyright (c) mmavs contributors. All rights reserved.
from .audio_labels import ComputeAudioLabels
from .audio_swap import AudioSwap
from .center_crop import AVSResizeCenterCrop
from .formatting import PackAVSInputs
from .geometric import AVSRandomFlip, AVSResize
from .loading import LoadAVSAnnotations, LoadAVSFrames
from .loading_audio import (ComputeLogMel, ComputeVGGishExamples, LoadAudio,
                            LoadVGGishExamples)
from .loading_semantic import LoadAVSSemanticAnnotations
from .padding import AVSPadClip
from .perturb_audio import PerturbAudio
from .photometric import AVSPhotoMetricDistortion
from .random_geometric import AVSRandomCrop, AVSRandomResize
from .sampling import AVSSampleFrames

__all__ = [
    'AVSRandomFlip', 'AVSResize', 'ComputeVGGishExamples',
    'LoadAVSAnnotations', 'LoadAVSFrames', 'LoadAudio', 'LoadVGGishExamples',
    'PackAVSInputs', 'LoadAVSSemanticAnnotations', 'AVSPhotoMetricDistortion',
    'AVSRandomCrop', 'AVSRandomResize', 'AVSSampleFrames',
    'ComputeAudioLabels', 'ComputeLogMel', 'PerturbAudio', 'AudioSwap',
    'AVSPadClip', 'AVSResizeCenterCrop'
]
