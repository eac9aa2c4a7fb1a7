# Copyright (c) mmavs contributors. All rights reserved.
"""Load mmengine checkpoints under torch >= 2.6.

torch 2.6 made ``torch.load`` default to ``weights_only=True``. mmengine
0.10.7 calls it without the argument, and its own checkpoints hold a
``HistoryBuffer`` and numpy arrays in ``meta.message_hub``, so ``load_from``,
``resume`` and ``load_checkpoint`` fail with ``UnpicklingError``.
:func:`patch_mmengine_checkpoint_loading` replaces mmengine's loader of local
files with one that keeps ``weights_only=True`` and allows exactly those
types under the checks of :mod:`mmavs.utils.safe_unpickle`, so crafted
pickles are still refused.
"""
import os.path as osp
from typing import Optional

from mmengine.runner import CheckpointLoader

from .safe_unpickle import torch_load


def load_local_checkpoint(filename: str,
                          map_location: Optional[str] = None) -> dict:
    """Load a local checkpoint under mmavs' unpickling rules.

    Args:
        filename (str): Checkpoint path.
        map_location (str, optional): As in :func:`torch.load`.

    Returns:
        dict: The checkpoint.

    Raises:
        FileNotFoundError: No such file.
        UnsafePickleError: The file names something outside the rules.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch_load(filename, map_location=map_location)


def patch_mmengine_checkpoint_loading() -> None:
    """Make mmengine load local checkpoints with :func:`load_local_checkpoint`.

    Covers ``load_from``, ``resume``, ``load_checkpoint`` and
    ``init_cfg=dict(type='Pretrained')`` on local paths. Idempotent.
    """
    CheckpointLoader.register_scheme(
        prefixes='', force=True)(load_local_checkpoint)
