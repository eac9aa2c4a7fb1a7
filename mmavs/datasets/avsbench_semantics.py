# Copyright (c) mmavs contributors. All rights reserved.
import csv
import io
import json
import os.path as osp
from typing import Callable, List, Optional, Sequence, Union

import mmengine.fileio as fileio

from mmavs.registry import DATASETS
from .base_avs_dataset import BaseAVSDataset

# frames per clip of each subset (the ``label`` column of metadata.csv)
_SUBSET_FRAMES = dict(v1s=5, v1m=5, v2=10)
_REQUIRED_COLUMNS = ('uid', 'label', 'split')


@DATASETS.register_module()
class AVSBenchSemanticsDataset(BaseAVSDataset):
    """AVSBench-Semantics (AVSS), read from the official release layout. One
    item is one clip: its frames, its audio and its colour masks.

    `Audio-Visual Segmentation with Semantics
    <https://arxiv.org/abs/2301.13190>`_

    Layout below ``data_root``:

    .. code-block:: none

        metadata.csv            # header row; columns include uid, label
                                # (v1s | v1m | v2) and split
        label2idx.json          # {class name: index}, 71 classes, 0 = bg
        <label>/<uid>/frames/<i>.jpg        # i = 0..T-1
        <label>/<uid>/labels_rgb/<i>.png    # colour masks (VOC palette)
        <label>/<uid>/audio.wav

    T is 5 for v1s / v1m (AVSBench-Object single / multi source) and 10 for
    v2. v1s training clips are labelled on frame 0 only: their
    ``seg_map_paths`` hold ``None`` for frames 1..4. Columns are found by
    name in the header (as the official pandas code does); other columns
    are ignored. Frames, required masks and wavs are checked to exist at
    load time.

    ``metainfo`` holds ``classes`` (names ordered by index, from
    ``label2idx.json``) and ``palette`` (the VOC bit-interleaved colours).
    Each data info holds ``clip_name`` (uid), ``subset`` (label), ``split``,
    ``img_paths`` (T), ``seg_map_paths`` (T, ``None`` = no label),
    ``audio_path``, ``num_frames`` and ``audio_clip_name``.

    Args:
        data_root (str): Root of the release.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
            Defaults to ``'train'``.
        subsets (Sequence[str]): Subsets to keep, any of ``'v1s'``,
            ``'v1m'``, ``'v2'``. Defaults to all three.
        pipeline (Sequence[dict | Callable], optional): Transforms, built in
            the ``mmavs`` scope unless they set ``_scope_``. Defaults to None.
        ann_file (str): Metadata CSV, relative to ``data_root``.
            Defaults to ``'metadata.csv'``.
        label2idx_file (str): Class index JSON, relative to ``data_root``.
            Defaults to ``'label2idx.json'``.
        metainfo (dict, optional): Overrides of the metainfo read from
            ``label2idx_file``. Defaults to None.
        **kwargs: ``shuffle_audio_seed`` (another clip's audio), ``indices``,
            ``serialize_data``, ``test_mode``, ``lazy_init``,
            ``max_refetch`` and ``backend_args`` of :class:`BaseAVSDataset`.
    """

    DATASET_NAME = 'AVSBench-Semantics'
    SUBSETS = tuple(_SUBSET_FRAMES)

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 subsets: Sequence[str] = ('v1s', 'v1m', 'v2'),
                 pipeline: Optional[Sequence[Union[dict, Callable]]] = None,
                 ann_file: str = 'metadata.csv',
                 label2idx_file: str = 'label2idx.json',
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        subsets = (subsets, ) if isinstance(subsets, str) else tuple(subsets)
        unknown = [s for s in subsets if s not in self.SUBSETS]
        if unknown or not subsets:
            raise ValueError(f'Unknown AVSBench-Semantics subsets {unknown}; '
                             f'expected a non-empty subset of {self.SUBSETS}.')
        self.subsets = subsets
        self.label2idx_file = label2idx_file
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            split=split,
            pipeline=pipeline,
            metainfo=metainfo,
            **kwargs)

    def _load_class_metainfo(self, data_root: str) -> dict:
        """``classes`` ordered by index and their VOC ``palette``."""
        path = fileio.join_path(data_root, self.label2idx_file)
        text = self._read_text(path, 'label2idx.json')
        try:
            label2idx = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f'{path} is not valid JSON: {err}') from err
        if not isinstance(label2idx, dict) or sorted(
                label2idx.values()) != list(range(len(label2idx))):
            raise ValueError(
                f'{path} must map class names to the indices 0..K-1, each '
                'once.')
        return self._classes_metainfo(sorted(label2idx, key=label2idx.get))

    def load_clips(self) -> List[dict]:
        """Read the metadata CSV and build one data info per clip of the
        split and subsets, checking that its files exist.

        Returns:
            list[dict]: One data info per clip, in CSV order.
        """
        data_list = [
            self._clip_info(uid, label) for uid, label in self._read_rows()
        ]
        if not data_list:
            raise ValueError(
                f'{self.ann_file} lists no clip of split {self.split!r} in '
                f'subsets {self.subsets}.')
        for info in data_list:
            self._check_clip_files(info)
        return data_list

    def _read_rows(self) -> List[tuple]:
        """``(uid, label)`` of the clips of the split and subsets."""
        text = self._read_text(self.ann_file, 'metadata CSV')
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in _REQUIRED_COLUMNS
                   if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f'{self.ann_file} lacks the columns {missing}; '
                             f'its header is {reader.fieldnames}.')
        rows = []
        for line_no, row in enumerate(reader, start=2):
            uid, label, split = (row[c].strip() for c in _REQUIRED_COLUMNS)
            if label not in self.SUBSETS:
                raise ValueError(
                    f'{self.ann_file}, line {line_no}: unknown label '
                    f'{label!r} (expected one of {self.SUBSETS}).')
            if split == self.split and label in self.subsets:
                rows.append((uid, label))
        return rows

    def _clip_info(self, uid: str, label: str) -> dict:
        """Paths of one clip in the official layout."""
        clip_dir = osp.join(self.data_root, label, uid)
        T = _SUBSET_FRAMES[label]
        num_masks = 1 if (label, self.split) == ('v1s', 'train') else T
        return dict(
            clip_name=uid,
            subset=label,
            split=self.split,
            img_paths=[
                osp.join(clip_dir, 'frames', f'{i}.jpg') for i in range(T)
            ],
            seg_map_paths=[
                osp.join(clip_dir, 'labels_rgb', f'{i}.png')
                if i < num_masks else None for i in range(T)
            ],
            audio_path=osp.join(clip_dir, 'audio.wav'),
            num_frames=T,
            audio_clip_name=uid)
