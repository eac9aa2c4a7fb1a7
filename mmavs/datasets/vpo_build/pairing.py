# Copyright (c) mmavs contributors. All rights reserved.
"""The VPO pairing rules: which images enter a subset and which of their
objects sound (CAVP/VPO paper, Sec. 3 and appendix Fig. 9).

- SS: one sounding object. The sounding class must have a single instance
  in the image (one object, so a mono clip is not ambiguous); other classes
  stay silent. Images with more classes come first.
- MS: images with objects of at least two classes and no class with more
  than one instance. With ``N`` objects all sound if ``N <= 2``; otherwise
  the sound of some is removed: ``k ~ U{2, ..., min(N - 1, max_sources)}``
  sound. Images with more classes come first.
- MSMI: the MS samples plus images where a class has several instances; the
  same rule picks the sounding instances among all of the image's objects
  (instances of one class may sound and stay silent side by side).

Every random draw comes from a generator seeded by ``(seed, stream, image
id)``, so a sample does not depend on the rest of the set: the same seed
gives the same samples, MSMI's MS part equals VPO-MS, and the train/test
split of an image is the same in every subset built with the same test
ratio.
"""
from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from .sources import ImageRecord, Instance

SUBSETS = ('ss', 'ms', 'msmi')
# test fraction of each subset in the paper: 890 / 12,202 (SS),
# 1,437 / 9,817 (MS), 1,775 / 12,855 (MSMI)
DEFAULT_TEST_RATIO = dict(
    ss=890 / 12202, ms=1437 / 9817, msmi=1775 / 12855)
_SPLIT, _PRIORITY, _SS, _MS, _MI, _AUDIO = range(6)


@dataclass
class Pairing:
    """The sounding objects chosen for one image.

    ``part`` is ``'ss'``, ``'ms'`` or ``'mi'`` (MSMI's own images);
    ``silent`` are the image's other VPO-class objects.
    """
    image: ImageRecord
    part: str
    sources: List[Instance]
    silent: List[Instance]
    split: str

    @property
    def sample_id(self) -> str:
        return f'{self.image.image_id:012d}'


def image_rng(seed: int, stream: int, image_id: int) -> np.random.Generator:
    """The generator of one random decision about one image."""
    return np.random.default_rng([seed, stream, image_id])


def num_sounding(num_objects: int, max_sources: int,
                 rng: np.random.Generator) -> int:
    """How many of ``num_objects`` objects keep their sound: all when at
    most two, else ``U{2, ..., min(num_objects - 1, max_sources)}``."""
    if num_objects <= 2:
        return num_objects
    return int(rng.integers(2, min(num_objects - 1, max_sources) + 1))


def _single(image: ImageRecord, class_index: int) -> bool:
    """Whether a class has exactly one instance, not a crowd."""
    instances = image.by_class(class_index)
    return len(instances) == 1 and not instances[0].iscrowd


def _pick_ss(image: ImageRecord, seed: int) -> Optional[List[Instance]]:
    choices = [c for c in image.classes() if _single(image, c)]
    if not choices:
        return None
    cls = choices[image_rng(seed, _SS, image.image_id).integers(len(choices))]
    return image.by_class(cls)


def _pick_some(objects: List[Instance], seed: int, stream: int,
               image_id: int, max_sources: int) -> List[Instance]:
    rng = image_rng(seed, stream, image_id)
    k = num_sounding(len(objects), max_sources, rng)
    keep = sorted(rng.choice(len(objects), size=k, replace=False))
    return [objects[i] for i in keep]


def _pick_ms(image: ImageRecord, seed: int,
             max_sources: int) -> Optional[List[Instance]]:
    classes = image.classes()
    if len(classes) < 2 or not all(_single(image, c) for c in classes):
        return None
    return _pick_some(image.instances, seed, _MS, image.image_id,
                      max_sources)


def _pick_mi(image: ImageRecord, seed: int,
             max_sources: int) -> Optional[List[Instance]]:
    objects = [i for i in image.instances if not i.iscrowd]
    if all(len([o for o in objects if o.class_index == c]) < 2
           for c in image.classes()):
        return None
    return _pick_some(objects, seed, _MI, image.image_id, max_sources)


def _select(images: List[ImageRecord], part: str, seed: int,
            max_sources: int, max_samples: Optional[int],
            test_ratio: float) -> List[Pairing]:
    """Pairings of one part, images with more classes (then more objects)
    first, ties in a seeded random order, at most ``max_samples``."""
    picked = []
    for image in images:
        if part == 'ss':
            sources = _pick_ss(image, seed)
        elif part == 'ms':
            sources = _pick_ms(image, seed, max_sources)
        else:
            sources = _pick_mi(image, seed, max_sources)
        if sources is None:
            continue
        sounding = {i.ann_id for i in sources}
        silent = [i for i in image.instances if i.ann_id not in sounding]
        split = 'test' if image_rng(seed, _SPLIT, image.image_id).random(
        ) < test_ratio else 'train'
        picked.append(Pairing(image, part, sources, silent, split))
    picked.sort(key=lambda p: (
        -len(p.image.classes()), -len(p.image.instances),
        image_rng(seed, _PRIORITY, p.image.image_id).random()))
    return picked[:max_samples]


def plan_subset(images: List[ImageRecord],
                subset: str,
                seed: int = 0,
                max_sources: int = 5,
                max_samples: Optional[int] = None,
                test_ratio: Optional[float] = None) -> List[Pairing]:
    """All pairings of a VPO subset, in writing order.

    Args:
        images (list[ImageRecord]): The segmentation set.
        subset (str): ``'ss'``, ``'ms'`` or ``'msmi'``.
        seed (int): Seed of every random choice. Defaults to 0.
        max_sources (int): Most sounding objects per image. Defaults to 5.
        max_samples (int, optional): Most images per subset (for MSMI: in
            each of its MS and multi-instance parts). Defaults to None (all
            eligible images).
        test_ratio (float, optional): Chance of an image to be in the test
            split. Defaults to None (the paper's ratio of the subset).

    Returns:
        list[Pairing]: The pairings.
    """
    if subset not in SUBSETS:
        raise ValueError(f'Unknown VPO subset {subset!r}; expected one of '
                         f'{SUBSETS}.')
    if max_sources < 2:
        raise ValueError(f'max_sources must be >= 2, got {max_sources}.')
    if test_ratio is None:
        test_ratio = DEFAULT_TEST_RATIO[subset]
    if not 0 <= test_ratio <= 1:
        raise ValueError(f'test_ratio must be in [0, 1], got {test_ratio}.')
    parts = dict(ss=('ss', ), ms=('ms', ), msmi=('ms', 'mi'))[subset]
    return [
        p for part in parts for p in _select(images, part, seed, max_sources,
                                             max_samples, test_ratio)
    ]


def audio_rng(seed: int, image_id: int) -> np.random.Generator:
    """The generator of the audio clips chosen for one image."""
    return image_rng(seed, _AUDIO, image_id)
