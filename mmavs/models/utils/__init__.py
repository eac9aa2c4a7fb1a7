# Copyright (c) mmavs contributors. All rights reserved.
from .ckpt_convert import avsbench_convert, vggish_convert

__all__ = ['avsbench_convert', 'vggish_convert']
