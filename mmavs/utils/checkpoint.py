# Copyright (c) mmavs contributors. All rights reserved.
"""Load mmengine checkpoints under torch >= 2.6.

torch 2.6 made ``torch.load`` default to ``weights_only=True``. mmengine
0.10.7 calls it without the argument, and its own checkpoints hold a
``HistoryBuffer`` and numpy arrays in ``meta.message_hub``, so ``load_from``,
``resume`` and ``load_checkpoint`` fail with ``UnpicklingError``.
:func:`patch_mmengine_checkpoint_loading` replaces mmengine's loader of local
files with one that keeps ``weights_only=True`` and allows exactly those
types, so untrusted pickles are still refused.
"""
import os.path as osp
from typing import List, Optional

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader


def _numpy_globals() -> List[object]:
    """numpy callables and classes that pickled arrays and scalars use."""
    multiarray = getattr(np, '_core', None) or np.core
    types: List[object] = [
        np.ndarray, np.dtype, multiarray.multiarray._reconstruct,
        multiarray.multiarray.scalar
    ]
    types += sorted({type(np.dtype(c))
                     for c in np.sctypeDict.values()}, key=str)
    # files pickled under numpy 1 (e.g. the VGGish PCA release) name these
    # numpy.core.multiarray.*, a module path numpy 2 no longer has
    types += [(f, f'numpy.core.multiarray.{f.__name__}')
              for f in (multiarray.multiarray._reconstruct,
                        multiarray.multiarray.scalar)]
    return types


def mmengine_checkpoint_globals() -> List[object]:
    """The non-tensor types found in mmengine checkpoints.

    ``getattr`` is needed because a pickled ``HistoryBuffer`` refers to its
    statistics methods as ``getattr(HistoryBuffer, 'mean')``; the weights-only
    unpickler still calls nothing outside this list.
    """
    return [HistoryBuffer, getattr] + _numpy_globals()


def load_local_checkpoint(filename: str,
                          map_location: Optional[str] = None) -> dict:
    """Load a local checkpoint with mmengine's types allowed.

    Args:
        filename (str): Checkpoint path.
        map_location (str, optional): As in :func:`torch.load`.

    Returns:
        dict: The checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    with torch.serialization.safe_globals(mmengine_checkpoint_globals()):
        return torch.load(
            filename, map_location=map_location, weights_only=True)


def patch_mmengine_checkpoint_loading() -> None:
    """Make mmengine load local checkpoints with :func:`load_local_checkpoint`.

    Covers ``load_from``, ``resume``, ``load_checkpoint`` and
    ``init_cfg=dict(type='Pretrained')`` on local paths. Idempotent.
    """
    CheckpointLoader.register_scheme(
        prefixes='', force=True)(load_local_checkpoint)
