# Copyright (c) mmavs contributors. All rights reserved.
"""Building the Visual Post-production (VPO) benchmarks from a COCO-format
segmentation set and a labelled audio collection (CAVP/VPO, CVPR 2024)."""
from .builder import build_vpo, summarize
from .mixing import (FULL_SCALE, encode_wav, load_clip, mask_centroid,
                     mix_sources, pan_gains)
from .pairing import (DEFAULT_TEST_RATIO, SUBSETS, Pairing, num_sounding,
                      plan_subset)
from .sources import (ImageRecord, Instance, class_pools, drop_empty,
                      load_class_map, load_coco, read_audio_csv)

__all__ = [
    'build_vpo', 'summarize', 'FULL_SCALE', 'encode_wav', 'load_clip',
    'mask_centroid', 'mix_sources', 'pan_gains', 'DEFAULT_TEST_RATIO',
    'SUBSETS', 'Pairing', 'num_sounding', 'plan_subset', 'ImageRecord',
    'Instance', 'class_pools', 'drop_empty', 'load_class_map', 'load_coco',
    'read_audio_csv'
]
