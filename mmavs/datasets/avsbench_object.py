# Copyright (c) mmavs contributors. All rights reserved.
import csv
import io
import os.path as osp
from typing import Callable, List, Optional, Sequence, Union

from mmavs.registry import DATASETS
from .base_avs_dataset import BaseAVSDataset

# Official release layout, relative to ``data_root``.
_META_CSV = dict(s4='s4_meta_data.csv', ms3='ms3_meta_data.csv')
# Header rows of the release's metadata CSVs; columns are then read by
# position, as the official AVSBench code does.
_HEADER = dict(
    s4=['name', 'start', 'category', 'split'], ms3=['video_id', 'split'])
_NAME_COL = dict(s4=0, ms3=0)
_CATEGORY_COL = dict(s4=2, ms3=None)
_SPLIT_COL = dict(s4=3, ms3=1)


@DATASETS.register_module()
class AVSBenchObjectDataset(BaseAVSDataset):
    """AVSBench-Object v1 (S4 and MS3), read from the official release
    layout. One item is one clip of ``num_frames`` frames, its audio and its
    masks.

    `Audio-Visual Segmentation <https://arxiv.org/abs/2207.05042>`_

    Layout below ``data_root`` (``<i>`` = 1..``num_frames``):

    .. code-block:: none

        s4_meta_data.csv                  # name, start, category, split
        s4_data/visual_frames/<split>/<category>/<name>/<name>_<i>.png
        s4_data/gt_masks/<split>/<category>/<name>/<name>_<i>.png
        s4_data/audio_wav/<split>/<category>/<name>.wav
        s4_data/audio_log_mel/<split>/<category>/<name>.pkl
        ms3_meta_data.csv                 # video_id, split
        ms3_data/visual_frames/<name>/<name>.mp4_<i>.png
        ms3_data/gt_masks/<split>/<name>/<name>_<i>.png
        ms3_data/audio_wav/<split>/<name>.wav
        ms3_data/audio_log_mel/<split>/<name>.pkl

    S4 is semi-supervised: a train clip has a mask for frame 1 only, so its
    ``seg_map_paths`` hold ``None`` for frames 2..T. All other clips have T
    masks. Frames, required masks and wavs are checked to exist at load time;
    the ``.pkl`` log-mel files are checked by the transform that reads them.

    Each data info holds ``clip_name``, ``subset``, ``split``, ``category``
    (S4 only, else ``None``), ``img_paths`` (T), ``seg_map_paths`` (T,
    ``None`` = no label), ``audio_path``, ``log_mel_path``, ``num_frames``
    and ``audio_clip_name`` (the clip the audio comes from; differs from
    ``clip_name`` only with ``shuffle_audio_seed``).

    Args:
        data_root (str): Root of the AVSBench-Object release.
        subset (str): ``'s4'`` or ``'ms3'``. Defaults to ``'s4'``.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
            Defaults to ``'train'``.
        pipeline (Sequence[dict | Callable], optional): Transforms applied to
            each clip; configs are built in the ``mmavs`` scope unless they
            set ``_scope_``. Defaults to None (no transform).
        num_frames (int): Frames per clip, T. Defaults to 5.
        metainfo (dict, optional): Overrides of :attr:`METAINFO`.
            Defaults to None.
        **kwargs: ``shuffle_audio_seed`` (another clip's audio; of another
            category for S4), ``indices``, ``serialize_data``,
            ``test_mode``, ``lazy_init``, ``max_refetch`` and
            ``backend_args`` of :class:`BaseAVSDataset`.
    """

    METAINFO = dict(
        classes=('background', 'sounding'),
        palette=[[0, 0, 0], [255, 255, 255]])
    DATASET_NAME = 'AVSBench-Object'
    SUBSETS = ('s4', 'ms3')
    AUDIO_KEYS = ('audio_path', 'log_mel_path', 'audio_clip_name')

    def __init__(self,
                 data_root: str,
                 subset: str = 's4',
                 split: str = 'train',
                 pipeline: Optional[Sequence[Union[dict, Callable]]] = None,
                 num_frames: int = 5,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        if subset not in self.SUBSETS:
            raise ValueError(f'Unknown AVSBench-Object subset {subset!r}; '
                             f'expected one of {self.SUBSETS}.')
        if not isinstance(num_frames, int) or num_frames < 1:
            raise ValueError(
                f'num_frames must be a positive int, got {num_frames!r}.')
        self.subset = subset
        self.num_frames = num_frames
        super().__init__(
            data_root=data_root,
            ann_file=_META_CSV[subset],
            split=split,
            pipeline=pipeline,
            metainfo=metainfo,
            **kwargs)

    def load_clips(self) -> List[dict]:
        """Read the metadata CSV, build one data info per clip of the split
        and check that its frames, required masks and wav exist.

        Returns:
            list[dict]: One data info per clip, in CSV order.
        """
        rows = self._read_csv_rows()
        data_list = [
            self._clip_info(name, category) for name, category in rows
        ]
        if not data_list:
            raise ValueError(
                f'{self.ann_file} lists no clip of split {self.split!r} '
                f'(column {_SPLIT_COL[self.subset] + 1} of the {self.subset} '
                'metadata CSV).')
        for info in data_list:
            self._check_clip_files(info, first_frame=1)
        return data_list

    def _read_csv_rows(self) -> List[tuple]:
        """``(name, category)`` of the clips of ``self.split``; the header
        row must be the release's, then columns are read by position."""
        text = self._read_text(self.ann_file,
                               f'{self.subset} metadata CSV')
        reader = csv.reader(io.StringIO(text))
        name_col = _NAME_COL[self.subset]
        split_col = _SPLIT_COL[self.subset]
        category_col = _CATEGORY_COL[self.subset]
        min_cols = max(c for c in (name_col, split_col, category_col)
                       if c is not None) + 1
        rows = []
        header = [cell.strip().lstrip('\ufeff') for cell in next(reader, [])]
        if header != _HEADER[self.subset]:
            raise ValueError(
                f'{self.ann_file}: the first row must be the header '
                f'{",".join(_HEADER[self.subset])!r} of the {self.subset} '
                f'metadata CSV, got {",".join(header)!r}.')
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue  # blank line
            if len(row) < min_cols:
                raise ValueError(
                    f'{self.ann_file}, line {line_no}: expected at least '
                    f'{min_cols} columns, got {len(row)}: {row}')
            if row[split_col].strip() != self.split:
                continue
            category = (row[category_col].strip()
                        if category_col is not None else None)
            rows.append((row[name_col].strip(), category))
        return rows

    def _clip_info(self, name: str, category: Optional[str]) -> dict:
        """Paths of one clip in the official layout."""
        root, split, T = self.data_root, self.split, self.num_frames
        if self.subset == 's4':
            rel = osp.join(split, category)
            data_dir = osp.join(root, 's4_data')
            img_paths = [
                osp.join(data_dir, 'visual_frames', rel, name,
                         f'{name}_{i}.png') for i in range(1, T + 1)
            ]
            # semi-supervised train split: only the first frame is labelled
            num_masks = 1 if split == 'train' else T
        else:
            rel = split
            data_dir = osp.join(root, 'ms3_data')
            img_paths = [
                osp.join(data_dir, 'visual_frames', name,
                         f'{name}.mp4_{i}.png') for i in range(1, T + 1)
            ]
            num_masks = T
        seg_map_paths = [
            osp.join(data_dir, 'gt_masks', rel, name, f'{name}_{i}.png')
            if i <= num_masks else None for i in range(1, T + 1)
        ]
        return dict(
            clip_name=name,
            subset=self.subset,
            split=split,
            category=category,
            img_paths=img_paths,
            seg_map_paths=seg_map_paths,
            audio_path=osp.join(data_dir, 'audio_wav', rel, f'{name}.wav'),
            log_mel_path=osp.join(data_dir, 'audio_log_mel', rel,
                                  f'{name}.pkl'),
            num_frames=T,
            audio_clip_name=name)

    def _audio_classes(self, info: dict) -> Optional[set]:
        """The S4 category; None for MS3 (no category)."""
        return {info['category']} if info.get('category') else None
