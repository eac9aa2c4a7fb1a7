# Copyright (c) mmavs contributors. All rights reserved.
"""Inputs of the VPO builder: the class lookup table, a COCO-format
instance-segmentation set and an audio collection labelled by class."""
import csv
import json
import os.path as osp
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

import mmengine
import numpy as np
from pycocotools import mask as mask_utils


@dataclass(frozen=True)
class Instance:
    """One annotated object of a VPO class.

    ``segmentation`` is the COCO annotation's (polygons or RLE).
    """
    ann_id: int
    class_name: str
    class_index: int
    segmentation: object
    iscrowd: bool

    def decode(self, height: int, width: int, ann_file: str) -> np.ndarray:
        """Binary mask of shape (H, W), uint8; errors name the annotation."""
        seg = self.segmentation
        try:
            if isinstance(seg, list):  # polygons
                rle = mask_utils.merge(
                    mask_utils.frPyObjects(seg, height, width))
            elif isinstance(seg.get('counts'), list):  # uncompressed RLE
                rle = mask_utils.frPyObjects(seg, height, width)
            else:
                rle = dict(seg)
                if isinstance(rle['counts'], str):
                    rle['counts'] = rle['counts'].encode('ascii')
            mask = mask_utils.decode(rle)
        except Exception as err:  # pycocotools raises assorted types
            raise ValueError(
                f'{ann_file}: annotation {self.ann_id} has a malformed '
                f'segmentation ({type(err).__name__}: {err}).') from err
        if mask.shape != (height, width):
            raise ValueError(
                f'{ann_file}: annotation {self.ann_id} decodes to a '
                f'{mask.shape} mask, its image is {(height, width)}.')
        return mask.astype(np.uint8)


@dataclass
class ImageRecord:
    """An image with its VPO-class instances (other categories dropped)."""
    image_id: int
    file_name: str
    height: int
    width: int
    instances: List[Instance] = field(default_factory=list)

    def classes(self) -> List[int]:
        """Sorted class indices present in the image."""
        return sorted({ins.class_index for ins in self.instances})

    def by_class(self, class_index: int) -> List[Instance]:
        return [i for i in self.instances if i.class_index == class_index]


def drop_empty(images: List[ImageRecord], ann_file: str) -> List[int]:
    """Remove the instances whose segmentation decodes to no pixel (COCO has
    such degenerate annotations), in place, as if they were not annotated.

    Returns:
        list[int]: The annotation ids removed.
    """
    dropped = []
    for image in images:
        keep = []
        for ins in image.instances:
            if ins.decode(image.height, image.width, ann_file).any():
                keep.append(ins)
            else:
                dropped.append(ins.ann_id)
        image.instances = keep
    return dropped


def load_class_map(path: str) -> 'OrderedDict[str, List[str]]':
    """Read the lookup table: ``classes: {visual class: [audio labels]}``.

    Returns:
        OrderedDict[str, list[str]]: Visual class -> audio labels, in class
        index order (the first class is index 1).
    """
    try:
        data = mmengine.load(path, file_format='yaml')
    except Exception as err:
        raise ValueError(f'Class map {path} is not valid YAML: {err}') from err
    classes = data.get('classes') if isinstance(data, dict) else None
    if not isinstance(classes, dict) or not classes:
        raise ValueError(f"Class map {path} needs a non-empty 'classes' "
                         'mapping {visual class: [audio labels]}.')
    table, owner = OrderedDict(), {}
    for name, labels in classes.items():
        if not isinstance(labels, list) or not labels or not all(
                isinstance(lb, str) for lb in labels):
            raise ValueError(f'Class map {path}: class {name!r} needs a '
                             f'non-empty list of audio labels, got {labels!r}')
        for label in labels:
            if label in owner:
                raise ValueError(
                    f'Class map {path}: audio label {label!r} is given to '
                    f'both {owner[label]!r} and {name!r}.')
            owner[label] = name
        table[str(name)] = list(labels)
    return table


def _require(obj: dict, keys: Sequence[str], what: str, ann_file: str):
    if not isinstance(obj, dict):
        raise ValueError(f'{ann_file}: {what} must be an object, got '
                         f'{type(obj).__name__}.')
    missing = [k for k in keys if k not in obj]
    if missing:
        raise ValueError(f'{ann_file}: {what} lacks {missing}: {obj!r:.200}')
    return [obj[k] for k in keys]


def load_coco(ann_file: str,
              class_names: Sequence[str]) -> Tuple[List[ImageRecord], set]:
    """Read a COCO-format instance-segmentation annotation file.

    Args:
        ann_file (str): The annotation JSON.
        class_names (Sequence[str]): VPO classes, in class index order
            (index = position + 1); other categories are dropped.

    Returns:
        tuple[list[ImageRecord], set[str]]: Images in id order, each with
        its VPO-class instances, and the VPO classes that are among the
        file's categories.
    """
    try:
        with open(ann_file) as f:
            data = json.load(f)
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(f'{ann_file} is not valid JSON: {err}') from err
    images, anns, cats = _require(data, ('images', 'annotations',
                                         'categories'), 'the file', ann_file)
    index = {name: i for i, name in enumerate(class_names, start=1)}
    cat_names = {}
    for cat in cats:
        cat_id, name = _require(cat, ('id', 'name'), 'a category', ann_file)
        cat_names[cat_id] = name
    records: Dict[int, ImageRecord] = {}
    for img in images:
        image_id, file_name, h, w = _require(
            img, ('id', 'file_name', 'height', 'width'), 'an image', ann_file)
        if not isinstance(image_id, int) or image_id < 0 or image_id in \
                records:
            raise ValueError(f'{ann_file}: image id {image_id!r} is not a '
                             'unique non-negative int.')
        records[image_id] = ImageRecord(image_id, file_name, int(h), int(w))
    for ann in anns:
        ann_id, image_id, cat_id, seg = _require(
            ann, ('id', 'image_id', 'category_id', 'segmentation'),
            'an annotation', ann_file)
        if image_id not in records or cat_id not in cat_names:
            raise ValueError(
                f'{ann_file}: annotation {ann_id} refers to unknown image '
                f'{image_id!r} or category {cat_id!r}.')
        name = cat_names[cat_id]
        if name not in index:
            continue
        if not isinstance(seg, (list, dict)):
            raise ValueError(f'{ann_file}: annotation {ann_id} has a '
                             f'malformed segmentation: {seg!r:.100}')
        records[image_id].instances.append(
            Instance(ann_id, name, index[name], seg,
                     bool(ann.get('iscrowd', 0))))
    present = set(cat_names.values()) & set(index)
    return [records[k] for k in sorted(records)], present


def read_audio_csv(csv_file: str) -> Dict[str, List[Tuple[str, int]]]:
    """Read an audio collection list with ``file`` and ``label`` columns.

    Args:
        csv_file (str): CSV with a header naming at least ``file`` and
            ``label`` (other columns are ignored); ``file`` is relative to
            the audio folder.

    Returns:
        dict[str, list[tuple[str, int]]]: Label -> ``(file, CSV line)``,
        sorted by file.
    """
    pool: Dict[str, List[Tuple[str, int]]] = {}
    with open(csv_file, newline='') as f:
        reader = csv.DictReader(f)
        if not {'file', 'label'} <= set(reader.fieldnames or ()):
            raise ValueError(f'{csv_file}: the header must name the columns '
                             f"'file' and 'label', got {reader.fieldnames}.")
        for row in reader:
            if not (row['file'] or '').strip():
                continue
            file, label = row['file'].strip(), (row['label'] or '').strip()
            pool.setdefault(label, []).append((file, reader.line_num))
    return {label: sorted(files) for label, files in pool.items()}


def class_pools(class_map: 'OrderedDict[str, List[str]]',
                label_files: Dict[str, List[Tuple[str, int]]],
                needed: Sequence[str], csv_file: str,
                audio_dir: str) -> Dict[str, List[Tuple[str, str]]]:
    """Audio files of each needed class, checked to exist.

    Returns:
        dict[str, list[tuple[str, str]]]: Class -> ``(file, audio label)``.

    Raises:
        ValueError: A needed class has no audio file.
        FileNotFoundError: A listed file of a needed class is missing.
    """
    pools = {}
    for name in needed:
        pools[name] = []
        for label in class_map[name]:
            for file, line in label_files.get(label, ()):
                if not osp.isfile(osp.join(audio_dir, file)):
                    raise FileNotFoundError(
                        f'{csv_file}, line {line}: audio file not found: '
                        f'{osp.join(audio_dir, file)}')
                pools[name].append((file, label))
        if not pools[name]:
            raise ValueError(
                f'Class {name!r} has no audio: {csv_file} lists no file '
                f'labelled {class_map[name]}.')
    return pools
