# Copyright (c) mmavs contributors. All rights reserved.
from .tpavi_reference import quadratic_tpavi

__all__ = ['quadratic_tpavi']
