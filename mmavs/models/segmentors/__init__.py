# Copyright (c) mmavs contributors. All rights reserved.
from .audio_visual_segmentor import AudioVisualSegmentor

__all__ = ['AudioVisualSegmentor']
