# Copyright (c) mmavs contributors. All rights reserved.
from .resnet_audio import ResNetAudio
from .vggish import VGGish

__all__ = ['ResNetAudio', 'VGGish']
