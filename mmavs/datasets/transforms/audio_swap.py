# Copyright (c) mmavs contributors. All rights reserved.
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmavs.registry import TRANSFORMS
from ..vpo_build.sources import read_audio_csv


def normalize_label(label: str) -> str:
    """Compare class names across datasets: the part before the first
    comma, lower case, ``_`` as space (AVSBench ``'male_speech'`` and
    VGGSound ``'male speech, man speaking'`` both give ``'male speech'``).
    """
    return label.split(',')[0].strip().lower().replace('_', ' ')


def match_pool(classes: Sequence[str], label_files: Dict[str, List],
               class_map: Optional[Dict[str, Sequence[str]]],
               source: str) -> Dict[str, List[str]]:
    """Files of each class: those of its ``class_map`` audio labels, or of
    the labels equal to it by :func:`normalize_label`.

    Args:
        classes (Sequence[str]): Class names to find audio for.
        label_files (dict[str, list]): Audio label -> files (or
            ``(file, ...)`` tuples).
        class_map (dict[str, Sequence[str]], optional): Class -> labels.
        source (str): Name of the audio list, for errors.

    Raises:
        ValueError: A class has no audio.
    """
    by_norm: Dict[str, List[str]] = {}
    for label, files in label_files.items():
        names = [f[0] if isinstance(f, tuple) else f for f in files]
        by_norm.setdefault(normalize_label(label), []).extend(names)
    pool = {}
    for name in classes:
        if class_map is not None and name in class_map:
            files = [
                f[0] if isinstance(f, tuple) else f
                for label in class_map[name]
                for f in label_files.get(label, ())
            ]
        else:
            files = by_norm.get(normalize_label(name), [])
        if not files:
            raise ValueError(f'Class {name!r} has no audio in {source}.')
        pool[name] = sorted(files)
    return pool


@TRANSFORMS.register_module()
class AudioSwap(BaseTransform):
    """Replace a clip's audio by a random clip of the same class.

    The AVS-M-SS experiment of `Unraveling Instance Associations
    <https://arxiv.org/abs/2304.02970>`_ (Sec. 5.2): AVSBench-Object S4
    audio is swapped for audio of the same category from another
    collection (VGGSound), emulating how VPO pairs images and sounds. Here
    the draw is redone every time a clip is loaded; to fix one pairing
    (and to run the official code), write a new tree with
    ``tools/dataset_converters/swap_audio.py``. Put this transform before
    the audio is loaded; precomputed log-mel (``log_mel_path``) no longer
    matches and is dropped.

    Required Keys:

    - ``key`` (default ``category``, str): the clip's class.
    - audio_path (str)

    Modified Keys:

    - audio_path
    - audio_clip_name (name of the new audio file, without extension)

    Removed Keys:

    - log_mel_path

    Args:
        audio_csv (str): Audio list with ``file`` and ``label`` columns.
        audio_dir (str): Folder of the listed files.
        classes (Sequence[str]): Class names the clips may have; each must
            have audio.
        class_map (dict[str, Sequence[str]], optional): Class -> audio
            labels. Defaults to None (labels equal to the class by
            :func:`normalize_label`, e.g. ``'dog_barking'`` = ``'dog
            barking'``).
        key (str): Results key holding the class. Defaults to
            ``'category'``.
        prob (float): Probability of swapping. Defaults to 1.0.
    """

    def __init__(self,
                 audio_csv: str,
                 audio_dir: str,
                 classes: Sequence[str],
                 class_map: Optional[Dict[str, Sequence[str]]] = None,
                 key: str = 'category',
                 prob: float = 1.0) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}.')
        self.audio_csv = audio_csv
        self.audio_dir = audio_dir
        self.class_map = None if class_map is None else dict(class_map)
        self.key = key
        self.prob = prob
        self.pool = match_pool(classes, read_audio_csv(audio_csv),
                               self.class_map, audio_csv)

    def transform(self, results: dict) -> dict:
        """Swap ``audio_path`` with probability ``prob``.

        Args:
            results (dict): Must hold ``key``.

        Returns:
            dict: ``results`` with the new ``audio_path``.
        """
        if self.key not in results:
            raise KeyError(f"AudioSwap needs the class key '{self.key}'; got "
                           f'keys {sorted(results)}.')
        name = results[self.key]
        if name not in self.pool:
            raise KeyError(f'AudioSwap: class {name!r} of clip '
                           f"{results.get('clip_name')!r} is not among the "
                           f'classes given, {sorted(self.pool)}.')
        if np.random.rand() < self.prob:
            files = self.pool[name]
            file = files[np.random.randint(len(files))]
            results['audio_path'] = osp.join(self.audio_dir, file)
            results['audio_clip_name'] = osp.splitext(osp.basename(file))[0]
            results.pop('log_mel_path', None)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(audio_csv={self.audio_csv!r}, '
                f'audio_dir={self.audio_dir!r}, classes={sorted(self.pool)}, '
                f'class_map={self.class_map}, key={self.key!r}, '
                f'prob={self.prob})')
