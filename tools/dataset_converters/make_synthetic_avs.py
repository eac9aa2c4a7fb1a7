# Copyright (c) mmavs contributors. All rights reserved.
"""Write a small synthetic AVSBench-Object (S4 and MS3) dataset in the layout
of the official release, for smoke tests and for checking that a model
listens.

Every clip shows objects of ``K = 4`` classes (a distinct shape and colour
family each) on a textured, noisy background; every class has its own sound
(a harmonic tone with its own fundamental and amplitude-modulation rate).

- S4: one sounding object (its class is the clip's category) and one silent
  visible distractor of another class; the mask is the sounding object.
- MS3: 2-3 visible objects of different classes, one of them silent for the
  whole clip; in every second ``t`` a random subset of the others sounds
  (possibly none or all), so the sounding set changes over the clip; the
  audio of second ``t`` is the sum of their sounds and mask ``t`` the union
  of their pixels in frame ``t`` (the frame at the end of second ``t``).

So the right mask can only be found by listening. Same seed -> byte-identical
files. Example::

    python tools/dataset_converters/make_synthetic_avs.py \\
        --out data/synthetic_avs --seed 0 --subsets s4 ms3
"""
import argparse
import csv
import os
import os.path as osp
import pickle
import time
import wave
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

SAMPLE_RATE = 16000
NUM_SECONDS = 5  # = frames per clip
SUBSETS = ('s4', 'ms3')
SPLITS = ('train', 'val', 'test')
DEFAULT_NUM_CLIPS = dict(
    s4=dict(train=60, val=12, test=12), ms3=dict(train=90, val=15, test=30))
MAX_SOURCES = 3  # most objects sounding at once; sets the mix gain
MS3_SOUND_PROB = 0.6  # chance that a non-distractor sounds in a second
HARMONIC_AMPS = (1.0, 0.5, 0.25)
AM_DEPTH = 0.5
NOISE_STD = 0.003  # audio noise, full scale = 1
RAMP = 160  # samples (10 ms) of on/off ramp between seconds


@dataclass(frozen=True)
class SynthClass:
    """A synthetic object class: what it looks like and how it sounds.

    ``f0`` and ``am_rate`` are whole Hz, so a sound repeats every second and
    one second of it is computed and tiled.
    """
    name: str
    shape: str
    color_bgr: Tuple[int, int, int]
    f0: int  # fundamental, Hz
    am_rate: int  # amplitude-modulation rate, Hz


CLASSES = (
    SynthClass('drum', 'circle', (40, 40, 210), 250, 2),  # red
    SynthClass('guitar', 'square', (40, 190, 40), 400, 3),  # green
    SynthClass('piano', 'triangle', (210, 70, 40), 630, 5),  # blue
    SynthClass('dog', 'diamond', (30, 200, 220), 1000, 8),  # yellow
)


@dataclass
class SceneObject:
    """One visible object: its class, radius and centre (x, y) per frame."""
    cls: int
    radius: float
    centers: np.ndarray  # (T, 2) float, (x, y)


@dataclass
class ClipSpec:
    """Content of one clip; ``sounding[t]`` lists the indices (into
    ``objects``) of the objects sounding in second ``t``."""
    name: str
    subset: str
    split: str
    index: int
    objects: List[SceneObject]
    sounding: List[Tuple[int, ...]]

    @property
    def category(self) -> Optional[str]:
        """S4 category: the class of the sounding object."""
        if self.subset != 's4':
            return None
        return CLASSES[self.objects[0].cls].name


def clip_name(subset: str, split: str, index: int) -> str:
    return f'syn_{subset}_{split}_{index:04d}'


def clip_rngs(seed: int, subset: str, split: str,
              index: int) -> List[np.random.Generator]:
    """Independent (layout, image, audio) generators of one clip."""
    seq = np.random.SeedSequence(
        [seed, SUBSETS.index(subset),
         SPLITS.index(split), index])
    return [np.random.default_rng(s) for s in seq.spawn(3)]


def _place_objects(rng: np.random.Generator, classes: Sequence[int],
                   size: int, radius_range: Tuple[float, float]
                   ) -> List[SceneObject]:
    """Random non-overlapping objects drifting slightly over the frames."""
    steps = np.arange(NUM_SECONDS)[:, None]
    for _ in range(1000):
        objects = []
        for cls in classes:
            r = rng.uniform(*radius_range) * size
            c0 = rng.uniform(r + 1, size - r - 1, size=2)
            v = rng.uniform(-0.02, 0.02, size=2) * size
            objects.append(SceneObject(int(cls), r, c0 + steps * v))
        if _valid_layout(objects, size):
            return objects
    raise RuntimeError(f'Cannot place {len(classes)} objects in a '
                       f'{size}x{size} frame; use a larger --size.')


def _valid_layout(objects: List[SceneObject], size: int) -> bool:
    """Inside the frame and apart (by bounding circles) in every frame."""
    for i, a in enumerate(objects):
        if (np.any(a.centers < a.radius + 1)
                or np.any(a.centers > size - a.radius - 1)):
            return False
        for b in objects[i + 1:]:
            dist = np.linalg.norm(a.centers - b.centers, axis=1)
            if np.any(dist < a.radius + b.radius + 2):
                return False
    return True


def sample_clip(seed: int, subset: str, split: str, index: int,
                size: int) -> ClipSpec:
    """Draw the objects and the sounding sets of one clip.

    S4: object 0 sounds in every second, object 1 is a silent distractor.
    MS3: 2-3 objects; the last is a silent distractor, each other one sounds
    in each second with probability ``MS3_SOUND_PROB``.
    """
    rng = clip_rngs(seed, subset, split, index)[0]
    if subset == 's4':
        classes = rng.choice(len(CLASSES), size=2, replace=False)
        objects = _place_objects(rng, classes, size, (0.12, 0.2))
        sounding = [(0, )] * NUM_SECONDS
    else:
        num = int(rng.integers(2, MAX_SOURCES + 1))
        classes = rng.choice(len(CLASSES), size=num, replace=False)
        objects = _place_objects(rng, classes, size, (0.1, 0.16))
        on = rng.random((NUM_SECONDS, num - 1)) < MS3_SOUND_PROB
        sounding = [tuple(np.flatnonzero(row).tolist()) for row in on]
    return ClipSpec(
        clip_name(subset, split, index), subset, split, index, objects,
        sounding)


def object_masks(spec: ClipSpec, size: int) -> np.ndarray:
    """Pixels of every object in every frame: bool (T, num_objects, H, W)."""
    masks = np.zeros((NUM_SECONDS, len(spec.objects), size, size), np.uint8)
    for t in range(NUM_SECONDS):
        for o, obj in enumerate(spec.objects):
            _draw_shape(masks[t, o], CLASSES[obj.cls].shape,
                        obj.centers[t], obj.radius)
    return masks.astype(bool)


def _draw_shape(canvas: np.ndarray, shape: str, center: np.ndarray,
                radius: float) -> None:
    """Fill ``shape`` with 1 on a (H, W) uint8 canvas (no anti-aliasing)."""
    cx, cy = center
    if shape == 'circle':
        cv2.circle(canvas, (int(round(cx)), int(round(cy))),
                   int(round(radius)), 1, thickness=-1, lineType=cv2.LINE_8)
        return
    if shape == 'square':
        h = radius * 0.7  # corners stay inside the bounding circle
        pts = [(cx - h, cy - h), (cx + h, cy - h), (cx + h, cy + h),
               (cx - h, cy + h)]
    elif shape == 'triangle':
        angles = np.deg2rad([-90, 30, 150])
        pts = list(zip(cx + radius * np.cos(angles),
                       cy + radius * np.sin(angles)))
    elif shape == 'diamond':
        pts = [(cx, cy - radius), (cx + radius, cy), (cx, cy + radius),
               (cx - radius, cy)]
    else:
        raise ValueError(f'Unknown shape {shape!r}.')
    poly = np.round(np.array(pts)).astype(np.int32)[None]
    cv2.fillPoly(canvas, poly, 1, lineType=cv2.LINE_8)


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Smooth muted colour field plus random stripes: float (H, W, 3)."""
    coarse = rng.uniform(60, 190, size=(4, 4, 3))
    coarse = 0.6 * coarse.mean(axis=2, keepdims=True) + 0.4 * coarse
    bg = cv2.resize(coarse.astype(np.float32), (size, size),
                    interpolation=cv2.INTER_CUBIC)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    theta, freq = rng.uniform(0, np.pi), rng.uniform(3, 10)
    stripes = np.sin(2 * np.pi * freq *
                     (xx * np.cos(theta) + yy * np.sin(theta)))
    return bg + 15 * stripes[..., None]


def render_frames(spec: ClipSpec, size: int, rng: np.random.Generator,
                  masks: np.ndarray) -> List[np.ndarray]:
    """T uint8 BGR frames (H, W, 3); ``masks`` from :func:`object_masks`."""
    bg = _background(rng, size)
    colors = [
        np.clip(
            np.array(CLASSES[o.cls].color_bgr) + rng.uniform(-25, 25, 3), 0,
            255) for o in spec.objects
    ]
    frames = []
    for t in range(NUM_SECONDS):
        frame = bg.copy()
        for o, color in enumerate(colors):
            frame[masks[t, o]] = color
        frame += 8 * rng.standard_normal(frame.shape, dtype=np.float32)
        np.clip(np.rint(frame, out=frame), 0, 255, out=frame)
        frames.append(frame.astype(np.uint8))
    return frames


def class_sound(cls: SynthClass, rng: np.random.Generator,
                num_seconds: int) -> np.ndarray:
    """Harmonic tone with amplitude modulation, peak <= 1: float (L, ),
    ``L = num_seconds * 16000``."""
    tau = np.arange(SAMPLE_RATE) / SAMPLE_RATE  # one period of the sound
    tone = np.zeros(SAMPLE_RATE)
    for h, amp in enumerate(HARMONIC_AMPS, start=1):
        phase = rng.uniform(0, 2 * np.pi)
        tone += amp * np.sin(2 * np.pi * h * cls.f0 * tau + phase)
    am = 1 - AM_DEPTH / 2 + AM_DEPTH / 2 * np.cos(
        2 * np.pi * cls.am_rate * tau + rng.uniform(0, 2 * np.pi))
    return np.tile(tone * am / sum(HARMONIC_AMPS), num_seconds)


def _smooth_gate(gate: np.ndarray) -> np.ndarray:
    """Per-second on/off gate (T, ) -> envelope (T * 16000, ) with linear
    ramps of ``RAMP`` samples (a moving average)."""
    x = np.repeat(gate, SAMPLE_RATE)
    padded = np.concatenate([np.zeros(RAMP // 2), x, np.zeros(RAMP)])
    csum = np.concatenate([[0.0], np.cumsum(padded)])
    return (csum[RAMP:RAMP + len(x)] - csum[:len(x)]) / RAMP


def synth_audio(spec: ClipSpec, rng: np.random.Generator) -> np.ndarray:
    """Mono 16-bit PCM samples of the clip: int16 (NUM_SECONDS * 16000, )."""
    n = NUM_SECONDS * SAMPLE_RATE
    mix = np.zeros(n)
    for o, obj in enumerate(spec.objects):
        gate = np.array([o in s for s in spec.sounding], dtype=float)
        if not gate.any():
            continue
        gain = rng.uniform(0.6, 1.0)
        mix += gain * _smooth_gate(gate) * class_sound(
            CLASSES[obj.cls], rng, NUM_SECONDS)
    mix = 0.9 / MAX_SOURCES * mix + rng.normal(0, NOISE_STD, n)
    return np.round(np.clip(mix, -1, 1) * 32767).astype(np.int16)


def clip_paths(root: str, spec: ClipSpec) -> Dict[str, object]:
    """File paths of a clip in the official layout (frames/masks: T each)."""
    name, split, T = spec.name, spec.split, NUM_SECONDS
    if spec.subset == 's4':
        data = osp.join(root, 's4_data')
        rel = osp.join(split, spec.category)
        frames = [
            osp.join(data, 'visual_frames', rel, name, f'{name}_{i}.png')
            for i in range(1, T + 1)
        ]
    else:
        data = osp.join(root, 'ms3_data')
        rel = split
        frames = [
            osp.join(data, 'visual_frames', name, f'{name}.mp4_{i}.png')
            for i in range(1, T + 1)
        ]
    masks = [
        osp.join(data, 'gt_masks', rel, name, f'{name}_{i}.png')
        for i in range(1, T + 1)
    ]
    return dict(
        frames=frames,
        masks=masks,
        wav=osp.join(data, 'audio_wav', rel, f'{name}.wav'),
        log_mel=osp.join(data, 'audio_log_mel', rel, f'{name}.pkl'))


def _write_png(path: str, img: np.ndarray) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, img):
        raise OSError(f'Cannot write {path}')


def write_clip(root: str, spec: ClipSpec, seed: int, size: int,
               log_mel: bool = False) -> None:
    """Render and write the frames, masks, wav (and log-mel) of a clip.

    S4 train clips get the mask of frame 1 only (semi-supervised, as in the
    release); other clips get all T masks (0/255 grayscale PNGs).
    """
    _, img_rng, audio_rng = clip_rngs(seed, spec.subset, spec.split,
                                      spec.index)
    paths = clip_paths(root, spec)
    obj_masks = object_masks(spec, size)
    for path, frame in zip(paths['frames'],
                           render_frames(spec, size, img_rng, obj_masks)):
        _write_png(path, frame)
    num_masks = 1 if (spec.subset, spec.split) == ('s4', 'train') else \
        NUM_SECONDS
    for t in range(num_masks):
        sounding = list(spec.sounding[t])
        mask = obj_masks[t, sounding].any(axis=0)
        _write_png(paths['masks'][t], mask.astype(np.uint8) * 255)
    samples = synth_audio(spec, audio_rng)
    write_wav(paths['wav'], samples)
    if log_mel:
        _write_log_mel(paths['log_mel'], samples)


def write_wav(path: str, samples: np.ndarray) -> None:
    """16-bit PCM WAV at 16 kHz from int16 samples, (L, ) mono or (L, C)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with wave.open(path, 'wb') as f:
        f.setnchannels(1 if samples.ndim == 1 else samples.shape[1])
        f.setsampwidth(2)
        f.setframerate(SAMPLE_RATE)
        f.writeframes(samples.astype('<i2').tobytes())


def _write_log_mel(path: str, samples: np.ndarray) -> None:
    """Pickle the VGGish log-mel examples, a float32 Tensor (5, 1, 96, 64),
    as the official ``audio_log_mel/*.pkl`` files."""
    from mmavs.audio import waveform_to_vggish_examples
    waveform = (samples.astype(np.float32) / 32768.0)[None]
    examples = waveform_to_vggish_examples(
        waveform, SAMPLE_RATE, num_examples=NUM_SECONDS)
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        pickle.dump(examples, f)


def write_csv(root: str, subset: str, specs: Sequence[ClipSpec]) -> str:
    """Metadata CSV with the official column order and a header row."""
    path = osp.join(root, f'{subset}_meta_data.csv')
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f, lineterminator='\n')
        if subset == 's4':
            writer.writerow(['name', 'start', 'category', 'split'])
            writer.writerows([s.name, 0, s.category, s.split] for s in specs)
        else:
            writer.writerow(['video_id', 'split'])
            writer.writerows([s.name, s.split] for s in specs)
    return path


def make_synthetic_avs(out: str,
                       seed: int = 0,
                       subsets: Sequence[str] = SUBSETS,
                       num_clips: Optional[Dict[str, Dict[str, int]]] = None,
                       size: int = 224,
                       log_mel: bool = False) -> Dict[str, Dict[str, int]]:
    """Write the synthetic dataset below ``out``.

    Args:
        out (str): Output root (the ``data_root`` of the dataset).
        seed (int): Random seed. Defaults to 0.
        subsets (Sequence[str]): Any of ``'s4'``, ``'ms3'``.
        num_clips (dict, optional): ``{subset: {split: count}}``; missing
            entries use :data:`DEFAULT_NUM_CLIPS`. Defaults to None.
        size (int): Frame height and width. Defaults to 224.
        log_mel (bool): Also write ``audio_log_mel/*.pkl`` (needs
            ``mmavs.audio``). Defaults to False.

    Returns:
        dict: ``{subset: {split: number of clips}}``.
    """
    summary: Dict[str, Dict[str, int]] = {}
    for subset in subsets:
        if subset not in SUBSETS:
            raise ValueError(f'Unknown subset {subset!r}; expected one of '
                             f'{SUBSETS}.')
        counts = dict(DEFAULT_NUM_CLIPS[subset])
        counts.update((num_clips or {}).get(subset, {}))
        specs = []
        for split in SPLITS:
            for index in range(counts[split]):
                spec = sample_clip(seed, subset, split, index, size)
                write_clip(out, spec, seed, size, log_mel)
                specs.append(spec)
        write_csv(out, subset, specs)
        summary[subset] = counts
    return summary


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write a synthetic AVSBench-Object (S4/MS3) dataset in '
        'the official layout.')
    parser.add_argument('--out', default='data/synthetic_avs')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--subsets', nargs='+', choices=SUBSETS, default=list(SUBSETS))
    for split in SPLITS:
        parser.add_argument(
            f'--num-{split}',
            type=int,
            default=None,
            help=f'{split} clips per subset (default: S4 '
            f"{DEFAULT_NUM_CLIPS['s4'][split]}, MS3 "
            f"{DEFAULT_NUM_CLIPS['ms3'][split]})")
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument(
        '--log-mel',
        action='store_true',
        help='also write audio_log_mel/*.pkl (VGGish examples)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    override = {
        split: getattr(args, f'num_{split}')
        for split in SPLITS if getattr(args, f'num_{split}') is not None
    }
    start = time.time()
    summary = make_synthetic_avs(
        args.out,
        seed=args.seed,
        subsets=args.subsets,
        num_clips={s: override
                   for s in args.subsets},
        size=args.size,
        log_mel=args.log_mel)
    for subset, counts in summary.items():
        splits = ', '.join(f'{k} {v}' for k, v in counts.items())
        print(f'{subset}: {splits} clips')
    print(f'classes: {", ".join(c.name for c in CLASSES)}; frames '
          f'{args.size}x{args.size}; wrote {args.out} in '
          f'{time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
