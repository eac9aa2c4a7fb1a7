# Copyright (c) mmavs contributors. All rights reserved.
import json
from typing import Callable, List, Optional, Sequence, Union

import mmengine.fileio as fileio

from mmavs.registry import DATASETS
from .base_avs_dataset import BaseAVSDataset


@DATASETS.register_module()
class VPODataset(BaseAVSDataset):
    """A Visual Post-production (VPO) subset (SS, MS or MSMI), as written by
    ``tools/dataset_converters/build_vpo.py``. One item is one image (T = 1),
    its stereo audio and its class-index mask.

    `Unraveling Instance Associations: A Closer Look for Audio-Visual
    Segmentation <https://arxiv.org/abs/2304.02970>`_

    Layout below ``data_root`` (see :mod:`mmavs.datasets.vpo_build`):

    .. code-block:: none

        meta.json                  # classes (0 = background), build options
        manifest.jsonl             # one record per sample
        images/<split>/<id>.jpg
        masks/<split>/<id>.png     # uint8 class indices of sounding objects
        audio/<split>/<id>.wav     # stereo, panned by mask centroids

    Masks are class-index maps: load them with
    ``LoadAVSAnnotations(binary=False)``. The wav is stereo; a mono model
    averages its channels in the audio transform. ``metainfo`` holds the
    ``classes`` of ``meta.json`` and their VOC ``palette``. Each data info
    holds ``clip_name`` (sample id), ``split``, ``img_paths`` (1),
    ``seg_map_paths`` (1), ``audio_path``, ``num_frames`` (1),
    ``audio_labels`` (``[[class indices heard]]``, one list per frame, as
    :class:`PackAVSInputs` reads it), ``image_id`` and ``sources`` (the
    manifest's pairing record).

    Args:
        data_root (str): Output folder of the builder.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        pipeline (Sequence[dict | Callable], optional): Transforms, built in
            the ``mmavs`` scope unless they set ``_scope_``. Defaults to None.
        ann_file (str): Manifest, relative to ``data_root``.
            Defaults to ``'manifest.jsonl'``.
        meta_file (str): Build metadata, relative to ``data_root``.
            Defaults to ``'meta.json'``.
        metainfo (dict, optional): Overrides of the metainfo read from
            ``meta_file``. Defaults to None.
        **kwargs: ``shuffle_audio_seed`` (the audio of a sample of other
            classes), ``indices``, ``serialize_data``, ``test_mode``,
            ``lazy_init``, ``max_refetch`` and ``backend_args`` of
            :class:`BaseAVSDataset`.
    """

    DATASET_NAME = 'VPO'
    SPLITS = ('train', 'test')
    AUDIO_KEYS = ('audio_path', 'audio_labels')

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 pipeline: Optional[Sequence[Union[dict, Callable]]] = None,
                 ann_file: str = 'manifest.jsonl',
                 meta_file: str = 'meta.json',
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        self.meta_file = meta_file
        super().__init__(
            data_root=data_root,
            ann_file=ann_file,
            split=split,
            pipeline=pipeline,
            metainfo=metainfo,
            **kwargs)

    def _load_class_metainfo(self, data_root: str) -> dict:
        """``classes`` of the build and their VOC ``palette``."""
        path = fileio.join_path(data_root, self.meta_file)
        text = self._read_text(path, 'meta.json')
        try:
            classes = json.loads(text)['classes']
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f'{path} is not a VPO meta.json with a '
                             f"'classes' list: {err!r}") from err
        return self._classes_metainfo(classes)

    def load_clips(self) -> List[dict]:
        """Read the manifest, keep the split's samples and check that their
        files exist.

        Returns:
            list[dict]: One data info per sample, in manifest order.
        """
        text = self._read_text(self.ann_file, 'manifest')
        data_list = []
        for no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                split = record['split']
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f'{self.ann_file}, line {no}: not a VPO '
                                 f'record ({err!r}).') from err
            if split == self.split:
                data_list.append(self._sample_info(record))
        if not data_list:
            raise ValueError(
                f'{self.ann_file} lists no sample of split {self.split!r}.')
        return data_list

    def _sample_info(self, record: dict) -> dict:
        """Data info of one manifest record, its files checked to exist."""
        paths = {
            key: fileio.join_path(self.data_root, record[key])
            for key in ('image', 'mask', 'audio')
        }
        for key, path in paths.items():
            if not self._exists(path):
                raise FileNotFoundError(
                    f"VPO sample {record['id']!r}: {key} not found: {path}")
        return dict(
            clip_name=record['id'],
            split=record['split'],
            img_paths=[paths['image']],
            seg_map_paths=[paths['mask']],
            audio_path=paths['audio'],
            num_frames=1,
            audio_labels=[list(record['audio_labels'])],
            image_id=record['image_id'],
            sources=record['sources'])

    def _audio_classes(self, info: dict) -> set:
        """The classes heard in the sample's audio."""
        return set(info['audio_labels'][0])
