# Copyright (c) mmavs contributors. All rights reserved.
from .inference import VideoStream, inference_video, init_model, track_progress
from .inferencer import MMAVSInferencer
from .results import SecondResult, VideoResult
from .video_io import (AVClip, AVSeconds, NoAudioError, VideoDecodeError,
                       load_av_clip)

__all__ = [
    'AVClip', 'AVSeconds', 'MMAVSInferencer', 'NoAudioError', 'SecondResult',
    'VideoDecodeError', 'VideoResult', 'VideoStream', 'inference_video',
    'init_model', 'load_av_clip', 'track_progress'
]
