# Copyright (c) mmavs contributors. All rights reserved.
from .multi_level_aspp import MultiLevelASPP

__all__ = ['MultiLevelASPP']
