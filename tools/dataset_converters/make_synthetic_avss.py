# Copyright (c) mmavs contributors. All rights reserved.
"""Write a small synthetic AVSBench-Semantics (AVSS) dataset in the layout of
the official release, for smoke tests of multi-class audio-visual models.

The objects and sounds are those of ``make_synthetic_avs.py`` (4 classes, a
shape/colour family and a harmonic tone each); the class indices are 1-4
(``label2idx.json``: background 0, then the 4 classes) and masks are RGB
images in the PASCAL-VOC bit-interleaved palette, as the release's
``labels_rgb``.

- v1s (5 frames): one object sounds for the whole clip, one silent
  distractor is visible; training clips are labelled on frame 0 only.
- v1m (5 frames) and v2 (10 frames): 2-3 objects, the last silent all clip;
  in every second each other one sounds with probability 0.6.

Mask ``t`` colours the pixels of the objects sounding in second ``t``;
``audio.wav`` is their mix (16 kHz, 16-bit; with ``--stereo`` two channels,
each object panned by its horizontal position). Same seed -> same files::

    python tools/dataset_converters/make_synthetic_avss.py \\
        --out data/synthetic_avss --seed 0
"""
import argparse
import csv
import json
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import make_synthetic_avs as avs  # noqa: E402 isort:skip

SUBSET_FRAMES = dict(v1s=5, v1m=5, v2=10)
SPLITS = avs.SPLITS
DEFAULT_NUM_CLIPS = dict(
    v1s=dict(train=40, val=8, test=8),
    v1m=dict(train=40, val=8, test=8),
    v2=dict(train=40, val=8, test=8))
CLASS_NAMES = ('background', ) + tuple(c.name for c in avs.CLASSES)
JPEG_QUALITY = 95


def voc_palette(num_classes: int) -> np.ndarray:
    """RGB colours (num_classes, 3) of the VOC bit-interleaved palette."""
    palette = np.zeros((num_classes, 3), dtype=np.uint8)
    for j in range(num_classes):
        for bit in range(8):
            for channel in range(3):
                if (j >> (3 * bit + channel)) & 1:
                    palette[j, channel] |= 1 << (7 - bit)
    return palette


def sample_clip(seed: int, subset: str, split: str, index: int,
                size: int) -> Tuple[List[avs.SceneObject], List[tuple]]:
    """Objects (drifting over T frames) and per-second sounding sets."""
    rng = np.random.default_rng(
        [seed, list(SUBSET_FRAMES).index(subset),
         SPLITS.index(split), index])
    T = SUBSET_FRAMES[subset]
    num = 2 if subset == 'v1s' else int(rng.integers(2, avs.MAX_SOURCES + 1))
    classes = rng.choice(len(avs.CLASSES), size=num, replace=False)
    steps = np.arange(T)[:, None]
    for _ in range(1000):
        objects = []
        for cls in classes:
            r = rng.uniform(0.1, 0.16) * size
            c0 = rng.uniform(r + 1, size - r - 1, size=2)
            v = rng.uniform(-0.01, 0.01, size=2) * size
            objects.append(avs.SceneObject(int(cls), r, c0 + steps * v))
        if avs._valid_layout(objects, size):
            break
    else:
        raise RuntimeError(f'Cannot place {num} objects in a {size}x{size} '
                           'frame; use a larger --size.')
    if subset == 'v1s':
        sounding = [(0, )] * T
    else:
        on = rng.random((T, num - 1)) < avs.MS3_SOUND_PROB
        sounding = [tuple(np.flatnonzero(row).tolist()) for row in on]
    return objects, sounding


def render(objects: List[avs.SceneObject], sounding: List[tuple], size: int,
           rng: np.random.Generator) -> Tuple[list, list]:
    """T BGR frames (H, W, 3) and T class-index masks (H, W)."""
    bg = avs._background(rng, size)
    colors = [
        np.clip(
            np.array(avs.CLASSES[o.cls].color_bgr) + rng.uniform(-25, 25, 3),
            0, 255) for o in objects
    ]
    frames, masks = [], []
    for t, active in enumerate(sounding):
        frame, mask = bg.copy(), np.zeros((size, size), np.uint8)
        for o, obj in enumerate(objects):
            pixels = np.zeros((size, size), np.uint8)
            avs._draw_shape(pixels, avs.CLASSES[obj.cls].shape,
                            obj.centers[t], obj.radius)
            frame[pixels > 0] = colors[o]
            if o in active:
                mask[pixels > 0] = obj.cls + 1
        frame += 8 * rng.standard_normal(frame.shape, dtype=np.float32)
        frames.append(np.clip(np.rint(frame), 0, 255).astype(np.uint8))
        masks.append(mask)
    return frames, masks


def synth_audio(objects: List[avs.SceneObject], sounding: List[tuple],
                size: int, rng: np.random.Generator,
                stereo: bool) -> np.ndarray:
    """int16 samples (T * 16000, C), C = 2 if ``stereo`` else 1."""
    T = len(sounding)
    mix = np.zeros((T * avs.SAMPLE_RATE, 2 if stereo else 1))
    for o, obj in enumerate(objects):
        gate = np.array([o in s for s in sounding], dtype=float)
        if not gate.any():
            continue
        sound = rng.uniform(0.6, 1.0) * avs._smooth_gate(gate) * \
            avs.class_sound(avs.CLASSES[obj.cls], rng, T)
        if stereo:  # constant-power pan by the mean horizontal position
            pan = obj.centers[:, 0].mean() / size * np.pi / 2
            mix += sound[:, None] * np.array([np.cos(pan), np.sin(pan)])
        else:
            mix[:, 0] += sound
    mix = 0.9 / avs.MAX_SOURCES * mix + rng.normal(0, avs.NOISE_STD,
                                                   mix.shape)
    return np.round(np.clip(mix, -1, 1) * 32767).astype(np.int16)


def clip_content(seed: int, subset: str, split: str, index: int,
                 size: int) -> tuple:
    """Objects, sounding sets, frames, index masks and the random generator
    (for the audio) of one clip."""
    objects, sounding = sample_clip(seed, subset, split, index, size)
    rng = np.random.default_rng(
        [seed, list(SUBSET_FRAMES).index(subset),
         SPLITS.index(split), index, 1])
    frames, masks = render(objects, sounding, size, rng)
    return objects, sounding, frames, masks, rng


def write_clip(root: str, seed: int, subset: str, split: str, index: int,
               size: int, stereo: bool) -> dict:
    """Write one clip; return its metadata row."""
    uid = f'syn_{subset}_{split}_{index:04d}'
    objects, sounding, frames, masks, rng = clip_content(
        seed, subset, split, index, size)
    clip_dir = osp.join(root, subset, uid)
    palette_bgr = voc_palette(len(CLASS_NAMES))[:, ::-1]
    num_masks = 1 if (subset, split) == ('v1s', 'train') else len(masks)
    for i, frame in enumerate(frames):
        path = osp.join(clip_dir, 'frames', f'{i}.jpg')
        os.makedirs(osp.dirname(path), exist_ok=True)
        if not cv2.imwrite(path, frame,
                           [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]):
            raise OSError(f'Cannot write {path}')
    for i in range(num_masks):
        avs._write_png(
            osp.join(clip_dir, 'labels_rgb', f'{i}.png'),
            np.ascontiguousarray(palette_bgr[masks[i]]))
    avs.write_wav(
        osp.join(clip_dir, 'audio.wav'),
        synth_audio(objects, sounding, size, rng, stereo))
    heard = sorted({objects[o].cls + 1 for s in sounding for o in s})
    return dict(
        vid=uid,
        uid=uid,
        a_obj=','.join(CLASS_NAMES[c] for c in heard),
        split=split,
        label=subset)


def make_synthetic_avss(out: str,
                        seed: int = 0,
                        subsets: Sequence[str] = tuple(SUBSET_FRAMES),
                        num_clips: Optional[Dict[str, Dict[str,
                                                           int]]] = None,
                        size: int = 64,
                        stereo: bool = False) -> Dict[str, Dict[str, int]]:
    """Write the synthetic AVSS dataset below ``out``.

    Args:
        out (str): Output root (the ``data_root`` of the dataset).
        seed (int): Random seed. Defaults to 0.
        subsets (Sequence[str]): Any of ``'v1s'``, ``'v1m'``, ``'v2'``.
        num_clips (dict, optional): ``{subset: {split: count}}``; missing
            entries use :data:`DEFAULT_NUM_CLIPS`. Defaults to None.
        size (int): Frame height and width. Defaults to 64.
        stereo (bool): Write two-channel audio. Defaults to False.

    Returns:
        dict: ``{subset: {split: number of clips}}``.
    """
    summary, rows = {}, []
    for subset in subsets:
        if subset not in SUBSET_FRAMES:
            raise ValueError(f'Unknown subset {subset!r}; expected one of '
                             f'{tuple(SUBSET_FRAMES)}.')
        counts = dict(DEFAULT_NUM_CLIPS[subset])
        counts.update((num_clips or {}).get(subset, {}))
        for split in SPLITS:
            rows += [
                write_clip(out, seed, subset, split, i, size, stereo)
                for i in range(counts[split])
            ]
        summary[subset] = counts
    os.makedirs(out, exist_ok=True)
    with open(osp.join(out, 'metadata.csv'), 'w', newline='') as f:
        writer = csv.DictWriter(
            f, fieldnames=list(rows[0]) if rows else ['uid', 'label',
                                                      'split'],
            lineterminator='\n')
        writer.writeheader()
        writer.writerows(rows)
    with open(osp.join(out, 'label2idx.json'), 'w') as f:
        json.dump({name: i for i, name in enumerate(CLASS_NAMES)}, f)
    return summary


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic AVSBench-Semantics dataset in the '
        'official layout.')
    parser.add_argument('--out', default='data/synthetic_avss')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--subsets',
        nargs='+',
        choices=list(SUBSET_FRAMES),
        default=list(SUBSET_FRAMES))
    for split in SPLITS:
        parser.add_argument(
            f'--num-{split}',
            type=int,
            default=None,
            help=f'{split} clips per subset (default '
            f"{DEFAULT_NUM_CLIPS['v2'][split]})")
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--stereo', action='store_true')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    override = {
        split: getattr(args, f'num_{split}')
        for split in SPLITS if getattr(args, f'num_{split}') is not None
    }
    start = time.time()
    summary = make_synthetic_avss(
        args.out,
        seed=args.seed,
        subsets=args.subsets,
        num_clips={s: override
                   for s in args.subsets},
        size=args.size,
        stereo=args.stereo)
    for subset, counts in summary.items():
        print(f'{subset}: ' + ', '.join(f'{k} {v}'
                                        for k, v in counts.items()))
    print(f'classes: {", ".join(CLASS_NAMES)}; wrote {args.out} in '
          f'{time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
