# Copyright (c) mmavs contributors. All rights reserved.
"""Scripts under tools/ imported as modules."""
import importlib.util
import os.path as osp
from types import ModuleType
from typing import Callable

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='session')
def load_tool() -> Callable[[str], ModuleType]:
    """``load_tool('tools/x/y.py')`` imports that script as a module."""

    def load(path: str) -> ModuleType:
        name = 'tool_' + osp.splitext(path)[0].replace('/', '_')
        spec = importlib.util.spec_from_file_location(
            name, osp.join(REPO_ROOT, path))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
