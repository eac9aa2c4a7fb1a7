# Copyright (c) mmavs contributors. All rights reserved.
from .avsegformer_convert import avsegformer_convert
from .cavp_ckpt_convert import cavp_convert
from .ckpt_convert import avsbench_convert, state_dict_mismatch, vggish_convert

__all__ = [
    'avsbench_convert', 'avsegformer_convert', 'cavp_convert',
    'state_dict_mismatch', 'vggish_convert'
]
