# Copyright (c) mmavs contributors. All rights reserved.
import os.path as osp
from typing import AbstractSet, Callable, List, Optional, Sequence, Union

import mmengine.fileio as fileio
import numpy as np
from mmengine.dataset import BaseDataset

from .audio_pairing import derangement
from .palette import voc_palette


class BaseAVSDataset(BaseDataset):
    """Base of the mmavs datasets: one item is one clip (its frames, audio
    and masks), read from a release below ``data_root``.

    It checks the split, builds the pipeline in the ``mmavs`` scope, merges
    the classes a subclass reads from its release
    (:meth:`_load_class_metainfo`) with ``metainfo``, re-pairs the audio on
    request (``shuffle_audio_seed``) and gives file helpers that honour
    ``backend_args``. Subclasses read their clips in :meth:`load_clips`.

    Args:
        data_root (str): Root of the release.
        ann_file (str): Annotation file, relative to ``data_root``.
        split (str): One of :attr:`SPLITS`. Defaults to ``'train'``.
        pipeline (Sequence[dict | Callable], optional): Transforms applied to
            each clip; configs are built in the ``mmavs`` scope unless they
            set ``_scope_``. Defaults to None (no transform).
        metainfo (dict, optional): Overrides of the class metainfo.
            Defaults to None.
        shuffle_audio_seed (int, optional): Diagnostic. When set, every clip
            gets the audio (the data-info keys :attr:`AUDIO_KEYS`) of another
            clip of the split through a derangement drawn with this seed
            (:func:`derangement`), of a clip of other classes when the
            dataset knows each clip's sounding classes
            (:meth:`_audio_classes`) and such a pairing exists, so a model
            that listens should fail. :attr:`audio_swap_rule` says which
            rule was used. Defaults to None.
        indices (int | Sequence[int], optional): Keep only these clips (see
            :class:`mmengine.dataset.BaseDataset`). Defaults to None.
        serialize_data (bool): Defaults to True.
        test_mode (bool): Defaults to False.
        lazy_init (bool): Defaults to False.
        max_refetch (int): Defaults to 1000.
        backend_args (dict, optional): Arguments of the mmengine file
            backend used to read annotations and check files.
            Defaults to None.
    """

    DATASET_NAME = 'AVS'  # for error messages
    #: data-info keys that carry a clip's audio (swapped together)
    AUDIO_KEYS = ('audio_path', 'audio_clip_name')
    SPLITS = ('train', 'val', 'test')

    def __init__(self,
                 data_root: str,
                 ann_file: str,
                 split: str = 'train',
                 pipeline: Optional[Sequence[Union[dict, Callable]]] = None,
                 metainfo: Optional[dict] = None,
                 shuffle_audio_seed: Optional[int] = None,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 serialize_data: bool = True,
                 test_mode: bool = False,
                 lazy_init: bool = False,
                 max_refetch: int = 1000,
                 backend_args: Optional[dict] = None) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'Unknown {self.DATASET_NAME} split {split!r}; '
                             f'expected one of {self.SPLITS}.')
        self.split = split
        self.backend_args = backend_args
        self.shuffle_audio_seed = shuffle_audio_seed
        self.audio_swap_rule: Optional[str] = None
        class_meta = self._load_class_metainfo(data_root)
        class_meta.update(metainfo or {})
        super().__init__(
            ann_file=ann_file,
            metainfo=class_meta,
            data_root=data_root,
            data_prefix=dict(),
            pipeline=[_in_mmavs_scope(t) for t in pipeline or ()],
            indices=indices,
            serialize_data=serialize_data,
            test_mode=test_mode,
            lazy_init=lazy_init,
            max_refetch=max_refetch)

    def load_data_list(self) -> List[dict]:
        """The clips of :meth:`load_clips`, their audio re-paired when
        ``shuffle_audio_seed`` is set.

        Returns:
            list[dict]: One data info per clip.
        """
        data_list = self.load_clips()
        if self.shuffle_audio_seed is not None:
            self._shuffle_audio(data_list)
        return data_list

    def load_clips(self) -> List[dict]:
        """Read the release: one data info per clip of the split."""
        raise NotImplementedError

    def _audio_classes(self, info: dict) -> Optional[AbstractSet]:
        """The classes heard in a clip's audio, None when unknown."""
        return None

    def _shuffle_audio(self, data_list: List[dict]) -> None:
        """Give every clip the audio of another clip (a seeded random
        derangement of the split), of other classes when they are known."""
        n = len(data_list)
        if n < 2:
            raise ValueError(
                'shuffle_audio_seed needs at least 2 clips to give each clip '
                f'the audio of another, but {self.DATASET_NAME} '
                f'{self.split} has {n}.')
        classes = [self._audio_classes(info) for info in data_list]
        rng = np.random.default_rng(self.shuffle_audio_seed)
        self.audio_swap_rule = 'a clip of other classes'
        if any(c is None for c in classes):
            classes = None
            self.audio_swap_rule = ('another clip (the dataset has no class '
                                    'labels)')
        try:
            perm = derangement(n, rng, classes)
        except ValueError as err:  # a class heard in most clips
            perm = derangement(n, rng)
            self.audio_swap_rule = f'another clip ({err})'
        sources = [{k: info[k] for k in self.AUDIO_KEYS} for info in data_list]
        for info, j in zip(data_list, perm):
            info.update(sources[j])

    def _load_class_metainfo(self, data_root: str) -> dict:
        """Class metainfo read from the release; empty (the class
        ``METAINFO``) unless a subclass overrides it."""
        return {}

    @staticmethod
    def _classes_metainfo(classes: Sequence[str]) -> dict:
        """``classes`` and their VOC bit-interleaved ``palette``."""
        return dict(
            classes=tuple(classes), palette=voc_palette(len(classes)).tolist())

    def _exists(self, path: str) -> bool:
        return fileio.exists(path, backend_args=self.backend_args)

    def _read_text(self, path: str, what: str) -> str:
        """Text of ``path``; FileNotFoundError naming ``what`` if missing."""
        if not self._exists(path):
            raise FileNotFoundError(
                f'{self.DATASET_NAME} {what} not found: {path}')
        return fileio.get_text(path, backend_args=self.backend_args)

    def _check_clip_files(self, info: dict, first_frame: int = 0) -> None:
        """Raise FileNotFoundError naming the first missing frame, required
        mask or wav of a clip; frames are numbered from ``first_frame``."""
        clip = (f"clip {info['clip_name']!r} ({info['subset']}/"
                f'{self.split})')
        T = info['num_frames']
        for kind, paths in (('frame', info['img_paths']),
                            ('mask', info['seg_map_paths'])):
            for i, path in enumerate(paths, start=first_frame):
                if path is not None and not self._exists(path):
                    raise FileNotFoundError(
                        f'{clip}: {kind} {i} of {T} not found: {path} '
                        f'(expected {T} {kind}s in {osp.dirname(path)})')
        if not self._exists(info['audio_path']):
            raise FileNotFoundError(
                f"{clip}: audio not found: {info['audio_path']}")


def _in_mmavs_scope(transform: Union[dict, Callable]) -> Union[dict, Callable]:
    """Build transform configs in the ``mmavs`` scope (which also finds
    mmseg, mmcv and mmengine transforms), whatever the current default
    scope, unless the config sets its own ``_scope_``."""
    if isinstance(transform, dict) and '_scope_' not in transform:
        transform = dict(transform, _scope_='mmavs')
    return transform
