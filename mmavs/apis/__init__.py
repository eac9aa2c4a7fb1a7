# Copyright (c) mmavs contributors. All rights reserved.
from .inference import VideoResult, inference_video, init_model
from .inferencer import MMAVSInferencer
from .video_io import AVClip, NoAudioError, VideoDecodeError, load_av_clip

__all__ = [
    'AVClip', 'MMAVSInferencer', 'NoAudioError', 'VideoDecodeError',
    'VideoResult', 'inference_video', 'init_model', 'load_av_clip'
]
