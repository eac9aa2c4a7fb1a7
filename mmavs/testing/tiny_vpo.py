# Copyright (c) mmavs contributors. All rights reserved.
"""A tiny COCO-format segmentation set and labelled class sounds, to build
VPO subsets from in tests."""
import csv
import json
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np
import soundfile as sf
from pycocotools import mask as mask_utils

#: Category id -> name; 'chair' is not a VPO class.
CATEGORIES = {1: 'cat', 2: 'dog', 3: 'car', 4: 'bird', 5: 'horse', 6: 'chair'}
#: Class map of the tiny set: visual class -> audio labels.
CLASS_MAP = {
    'cat': ['cat meowing', 'cat purring'],
    'dog': ['dog barking'],
    'car': ['car passing by'],
    'bird': ['mynah bird singing'],
    'horse': ['horse neighing'],
}
WIDTH, HEIGHT = 48, 32


def _rle_rect(x0: int, y0: int, x1: int, y1: int) -> dict:
    """Compressed RLE of the pixel box [x0, x1) x [y0, y1)."""
    mask = np.zeros((HEIGHT, WIDTH), dtype=np.uint8, order='F')
    mask[y0:y1, x0:x1] = 1
    rle = mask_utils.encode(mask)
    rle['counts'] = rle['counts'].decode('ascii')
    return rle


def _polygon_rect(x0: int, y0: int, x1: int, y1: int) -> list:
    return [[x0, y0, x1, y0, x1, y1, x0, y1]]


#: Hand-made images appended after the random ones: (category, RLE box
#: (x0, y0, x1, y1)) lists. Four single-instance classes (an MS image with
#: sounds to remove); a dog and a zero-width horse (an empty mask, as some
#: of COCO's degenerate annotations); two cats, left and right
#: (multi-instance).
FIXED_IMAGES = (
    [(1, (0, 0, 6, 6)), (2, (8, 0, 14, 6)), (3, (16, 0, 22, 6)),
     (4, (24, 0, 30, 6))],
    [(2, (4, 8, 12, 16)), (5, (36, 8, 36, 16))],
    [(1, (2, 10, 10, 20)), (1, (36, 4, 46, 30))],
)


def make_tiny_coco(root: str, seed: int = 0,
                   num_images: int = 24) -> Tuple[str, str]:
    """Write ``annotations.json`` and ``images/*.jpg`` under ``root``.

    Each random image holds 1-6 boxes of random categories (repeats
    allowed), alternately as polygons and as RLE masks; a few dog boxes are
    crowds. The :data:`FIXED_IMAGES` follow.

    Returns:
        tuple[str, str]: The annotation file and the image folder.
    """
    rng = np.random.default_rng(seed)
    image_dir = osp.join(root, 'images')
    os.makedirs(image_dir, exist_ok=True)
    images, anns = [], []
    for image_id in range(1, num_images + 1):
        name = f'{image_id:06d}.jpg'
        img = rng.integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)
        cv2.imwrite(osp.join(image_dir, name), img)
        images.append(
            dict(id=image_id, file_name=name, height=HEIGHT, width=WIDTH))
        for _ in range(int(rng.integers(1, 7))):
            x0, y0 = int(rng.integers(0, WIDTH - 8)), int(
                rng.integers(0, HEIGHT - 8))
            box = (x0, y0, x0 + int(rng.integers(4, 9)),
                   y0 + int(rng.integers(4, 9)))
            cat = int(rng.integers(1, len(CATEGORIES) + 1))
            seg = _rle_rect(*box) if len(anns) % 2 else _polygon_rect(*box)
            crowd = int(cat == 2 and rng.random() < 0.2)
            anns.append(
                dict(
                    id=len(anns) + 1,
                    image_id=image_id,
                    category_id=cat,
                    segmentation=_rle_rect(*box) if crowd else seg,
                    iscrowd=crowd,
                    area=(box[2] - box[0]) * (box[3] - box[1]),
                    bbox=[box[0], box[1], box[2] - box[0],
                          box[3] - box[1]]))
    for boxes in FIXED_IMAGES:
        image_id = len(images) + 1
        name = f'{image_id:06d}.jpg'
        cv2.imwrite(
            osp.join(image_dir, name),
            np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8))
        images.append(
            dict(id=image_id, file_name=name, height=HEIGHT, width=WIDTH))
        anns += [
            dict(
                id=len(anns) + 1 + k,
                image_id=image_id,
                category_id=cat,
                segmentation=_rle_rect(*box),
                iscrowd=0) for k, (cat, box) in enumerate(boxes)
        ]
    cats = [dict(id=k, name=v) for k, v in CATEGORIES.items()]
    ann_file = osp.join(root, 'annotations.json')
    with open(ann_file, 'w') as f:
        json.dump(dict(images=images, annotations=anns, categories=cats), f)
    return ann_file, image_dir


def make_class_sounds(root: str,
                      files_per_label: int = 2,
                      sample_rate: int = 16000,
                      seconds: float = 0.5) -> Tuple[str, str, Dict]:
    """Write one sine tone per file (each file its own frequency) and a
    ``file,label`` CSV for every audio label of :data:`CLASS_MAP`.

    Returns:
        tuple[str, str, dict]: The CSV, the audio folder and
        ``{file: frequency in Hz}``.
    """
    audio_dir = osp.join(root, 'audio')
    os.makedirs(audio_dir, exist_ok=True)
    rows: List[Tuple[str, str]] = []
    freqs = {}
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    for labels in CLASS_MAP.values():
        for label in labels:
            for k in range(files_per_label):
                file = f"{label.replace(' ', '_')}_{k}.wav"
                freqs[file] = 200.0 + 100.0 * len(freqs)
                tone = 0.6 * np.sin(2 * np.pi * freqs[file] * t)
                sf.write(
                    osp.join(audio_dir, file), tone, sample_rate,
                    subtype='PCM_16')
                rows.append((file, label))
    csv_file = osp.join(root, 'audio.csv')
    with open(csv_file, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['file', 'label'])
        writer.writerows(rows)
    return csv_file, audio_dir, freqs


def write_class_map(path: str, table: Dict[str, List[str]] = None) -> str:
    """Write a class map YAML (default :data:`CLASS_MAP`)."""
    with open(path, 'w') as f:
        json.dump(dict(classes=table or CLASS_MAP), f)  # JSON is YAML
    return path
