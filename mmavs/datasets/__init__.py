# Copyright (c) mmavs contributors. All rights reserved.
# mmseg's datasets and transforms must be imported before mmavs registers its
# own: mmengine only walks the parent registry's already-imported modules.
import mmseg.datasets  # noqa: F401,I001

from .avs_collate import avs_collate
from .avsbench_object import AVSBenchObjectDataset
from .avsbench_semantics import AVSBenchSemanticsDataset
from .base_avs_dataset import BaseAVSDataset
from .palette import decode_color_mask, encode_class_mask, voc_palette
from .transforms import (AVSRandomFlip, AVSResize, ComputeVGGishExamples,
                         LoadAudio, LoadAVSAnnotations, LoadAVSFrames,
                         LoadVGGishExamples, PackAVSInputs)
from .vpo import VPODataset

__all__ = [
    'AVSBenchObjectDataset', 'avs_collate', 'AVSRandomFlip', 'AVSResize',
    'ComputeVGGishExamples', 'LoadAudio', 'LoadAVSAnnotations',
    'LoadAVSFrames', 'LoadVGGishExamples', 'PackAVSInputs',
    'AVSBenchSemanticsDataset', 'decode_color_mask', 'encode_class_mask',
    'voc_palette', 'VPODataset', 'BaseAVSDataset'
]
