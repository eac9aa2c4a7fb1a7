# Copyright (c) mmavs contributors. All rights reserved.
from .audio_bank import ClassAudioBank
from .avm_loss import AVMLoss
from .cavp_contrast_loss import CAVPContrastLoss
from .cavp_loss import CAVPLoss
from .frame_dice_loss import FrameDiceLoss

__all__ = [
    'AVMLoss', 'CAVPContrastLoss', 'CAVPLoss', 'ClassAudioBank',
    'FrameDiceLoss'
]
