# Copyright (c) mmavs contributors. All rights reserved.
"""Write a VPO subset: images, class-index masks, stereo wavs and a manifest,
resumable sample by sample.

Output layout (``<id>`` = the 12-digit image id)::

    meta.json                 classes (0 = background) and build options
    manifest.jsonl            one JSON record per written sample
    images/<split>/<id><ext>  copy of the source image
    masks/<split>/<id>.png    uint8 class indices of the sounding objects
    audio/<split>/<id>.wav    16-bit stereo mix, left = sum (1 - a_i) x_i,
                              right = sum a_i x_i (times the norm gain)
    summary.md                sounding-class counts, imbalance ratio and
                              the number of empty-mask instances dropped

Every file is written to a temporary name and renamed; a sample's manifest
record is appended (and flushed) after its files, so an interrupted build
run again with the same options skips the recorded samples and rewrites the
rest, giving the same output as an uninterrupted build.
"""
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Optional

import cv2
import numpy as np
from tqdm import tqdm

from .mixing import (encode_wav, load_clip, mask_centroid, mix_sources,
                     pan_gains)
from .pairing import DEFAULT_TEST_RATIO, Pairing, audio_rng, plan_subset
from .sources import (class_pools, drop_empty, load_class_map, load_coco,
                      read_audio_csv)

FORMAT = dict(name='mmavs-vpo', version=1)


def _write_atomic(path: str, data: bytes) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = f'{path}.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def _read_manifest(path: str) -> List[dict]:
    """Records of a manifest; a torn last line (no newline) is cut off."""
    if not osp.exists(path):
        return []
    with open(path, 'rb') as f:
        data = f.read()
    end = data.rfind(b'\n') + 1
    if end < len(data):
        with open(path, 'r+b') as f:
            f.truncate(end)
    records = []
    for no, line in enumerate(data[:end].splitlines(), start=1):
        try:
            records.append(json.loads(line))
        except ValueError as err:
            raise ValueError(f'{path}, line {no} is not JSON: {err}') from err
    return records


class _SampleWriter:
    """Turns a :class:`Pairing` into the sample's files and record."""

    def __init__(self, out_dir: str, ann_file: str, image_dir: str,
                 audio_dir: str, pools: Dict[str, list], seed: int,
                 sample_rate: int, num_samples: int) -> None:
        self.out_dir = out_dir
        self.ann_file = ann_file
        self.image_dir = image_dir
        self.audio_dir = audio_dir
        self.pools = pools
        self.seed = seed
        self.sample_rate = sample_rate
        self.num_samples = num_samples

    def _audio_files(self, pairing: Pairing) -> Dict[int, tuple]:
        """``ann_id -> (file, label)``; instances of one class get distinct
        clips while the class has enough."""
        rng = audio_rng(self.seed, pairing.image.image_id)
        chosen = {}
        for cls in sorted({s.class_index for s in pairing.sources}):
            group = [s for s in pairing.sources if s.class_index == cls]
            pool = self.pools[group[0].class_name]
            picks = rng.choice(
                len(pool), size=len(group), replace=len(group) > len(pool))
            chosen.update(
                {s.ann_id: pool[i]
                 for s, i in zip(group, picks)})
        return chosen

    def __call__(self, pairing: Pairing) -> dict:
        img = pairing.image
        sid, split = pairing.sample_id, pairing.split
        src_image = osp.join(self.image_dir, img.file_name)
        if not osp.isfile(src_image):
            raise FileNotFoundError(
                f'Image {img.image_id} of {self.ann_file} not found: '
                f'{src_image}')
        masks = [
            s.decode(img.height, img.width, self.ann_file)
            for s in pairing.sources
        ]
        label = np.zeros((img.height, img.width), dtype=np.uint8)
        for i in np.argsort([-int(m.sum()) for m in masks], kind='stable'):
            label[masks[i] > 0] = pairing.sources[i].class_index
        files = self._audio_files(pairing)
        sources, clips, gains = [], [], []
        for ins, mask in zip(pairing.sources, masks):
            c_w, c_h = mask_centroid(mask)
            gain = pan_gains(c_w, img.width)
            file, audio_label = files[ins.ann_id]
            clips.append(
                load_clip(
                    osp.join(self.audio_dir, file), self.sample_rate,
                    self.num_samples))
            gains.append(gain)
            sources.append(
                dict(
                    instance_id=ins.ann_id,
                    class_name=ins.class_name,
                    class_index=ins.class_index,
                    audio_file=file,
                    audio_label=audio_label,
                    centroid=[c_w, c_h],
                    alpha=gain[1],
                    gains=list(gain)))
        mix, norm_gain = mix_sources(clips, gains)
        ext = osp.splitext(img.file_name)[1]
        paths = dict(
            image=f'images/{split}/{sid}{ext}',
            mask=f'masks/{split}/{sid}.png',
            audio=f'audio/{split}/{sid}.wav')
        with open(src_image, 'rb') as f:
            _write_atomic(osp.join(self.out_dir, paths['image']), f.read())
        _write_atomic(
            osp.join(self.out_dir, paths['mask']),
            cv2.imencode('.png', label)[1].tobytes())
        _write_atomic(
            osp.join(self.out_dir, paths['audio']),
            encode_wav(mix, self.sample_rate))
        return dict(
            id=sid,
            split=split,
            part=pairing.part,
            image_id=img.image_id,
            file_name=img.file_name,
            height=img.height,
            width=img.width,
            **paths,
            sources=sources,
            silent_instances=[s.ann_id for s in pairing.silent],
            audio_labels=sorted({s['class_index']
                                 for s in sources}),
            norm_gain=norm_gain)


def summarize(records: List[dict],
              classes: List[str],
              num_dropped: int = 0) -> str:
    """Markdown table of how many samples each class sounds in, per split,
    the imbalance ratio N_max / N_min over classes that sound and the number
    of instances dropped for an empty mask."""
    counts = np.zeros((len(classes), 2), dtype=int)
    for rec in records:
        for idx in rec['audio_labels']:
            counts[idx, int(rec['split'] == 'test')] += 1
    lines = ['| class | train | test | total |', '| --- | --- | --- | --- |']
    for idx in range(1, len(classes)):
        train, test = counts[idx]
        lines.append(f'| {classes[idx]} | {train} | {test} | {train + test} |')
    totals = counts.sum(axis=1)[1:]
    n_train = sum(r['split'] == 'train' for r in records)
    lines.append(f'| samples | {n_train} | {len(records) - n_train} | '
                 f'{len(records)} |')
    used = totals[totals > 0]
    if used.size:
        ratio = f'{used.max() / used.min():.2f}'
        lines.append(f'\nImbalance ratio N_max / N_min: {ratio} over '
                     f'{used.size} sounding classes')
    lines.append(f'\nInstances dropped for an empty mask: {num_dropped}')
    return '\n'.join(lines) + '\n'


def build_vpo(out_dir: str,
              subset: str,
              ann_file: str,
              image_dir: str,
              audio_csv: str,
              audio_dir: str,
              class_map: str,
              seed: int = 0,
              test_ratio: Optional[float] = None,
              duration: float = 10.0,
              sample_rate: int = 16000,
              max_sources: int = 5,
              max_samples: Optional[int] = None,
              progress: bool = True,
              log: Callable[[str], None] = print) -> List[dict]:
    """Build (or finish building) one VPO subset in ``out_dir``.

    Args:
        out_dir (str): Output folder; an existing one must have been
            started with the same options.
        subset (str): ``'ss'``, ``'ms'`` or ``'msmi'``.
        ann_file (str): COCO-format instance-segmentation JSON.
        image_dir (str): Folder of its images (``file_name`` is relative).
        audio_csv (str): Audio list with ``file`` and ``label`` columns.
        audio_dir (str): Folder of the audio files.
        class_map (str): YAML lookup table ``classes: {visual: [audio]}``.
        seed (int): Seed of every random choice. Defaults to 0.
        test_ratio (float, optional): Chance of an image to be a test image.
            Defaults to None (the paper's ratio of the subset).
        duration (float): Seconds of every clip. Defaults to 10.0.
        sample_rate (int): Audio sample rate in Hz. Defaults to 16000.
        max_sources (int): Most sounding objects per image. Defaults to 5.
        max_samples (int, optional): Most images per subset (per part for
            MSMI). Defaults to None (all eligible).
        progress (bool): Show a progress bar. Defaults to True.
        log (Callable[[str], None]): Where notices and the summary go.
            Defaults to :func:`print`.

    Returns:
        list[dict]: All manifest records, in writing order.
    """
    table = load_class_map(class_map)
    names = list(table)
    images, present = load_coco(ann_file, names)
    dropped = drop_empty(images, ann_file)
    missing = [n for n in names if n not in present]
    if missing:
        log(f'Notice: {ann_file} has no category {missing}; these VPO '
            'classes are skipped.')
    used = sorted({i.class_name for im in images for i in im.instances},
                  key=names.index)
    pools = class_pools(table, read_audio_csv(audio_csv), used, audio_csv,
                        audio_dir)
    test_ratio = DEFAULT_TEST_RATIO.get(subset) if test_ratio is None \
        else test_ratio
    plan = plan_subset(images, subset, seed, max_sources, max_samples,
                       test_ratio)
    meta = dict(
        format=FORMAT,
        classes=['background'] + names,
        options=dict(
            subset=subset,
            seed=seed,
            test_ratio=test_ratio,
            duration=duration,
            sample_rate=sample_rate,
            max_sources=max_sources,
            max_samples=max_samples,
            ann_file=osp.abspath(ann_file),
            image_dir=osp.abspath(image_dir),
            audio_csv=osp.abspath(audio_csv),
            audio_dir=osp.abspath(audio_dir),
            class_map=table))
    _start(out_dir, meta)
    manifest = osp.join(out_dir, 'manifest.jsonl')
    records = _read_manifest(manifest)
    planned = {p.sample_id for p in plan}
    done = {r['id'] for r in records}
    if not done <= planned:
        raise ValueError(f'{manifest} records samples that these options do '
                         f'not produce: {sorted(done - planned)[:5]}')
    writer = _SampleWriter(out_dir, ann_file, image_dir, audio_dir, pools,
                           seed, sample_rate, round(duration * sample_rate))
    with open(manifest, 'a') as f, tqdm(
            total=len(plan), initial=len(done), disable=not progress,
            desc=f'VPO-{subset.upper()}') as bar:
        for pairing in plan:
            if pairing.sample_id in done:
                continue
            record = writer(pairing)
            f.write(json.dumps(record) + '\n')
            f.flush()
            os.fsync(f.fileno())
            records.append(record)
            bar.update()
    summary = summarize(records, meta['classes'], len(dropped))
    _write_atomic(osp.join(out_dir, 'summary.md'), summary.encode())
    log(summary)
    return records


def _start(out_dir: str, meta: dict) -> None:
    """Write ``meta.json``, or check that an existing one matches."""
    path = osp.join(out_dir, 'meta.json')
    if osp.exists(path):
        with open(path) as f:
            old = json.load(f)
        if old != json.loads(json.dumps(meta)):
            diff = sorted(k for k in meta['options']
                          if old.get('options', {}).get(k) !=
                          json.loads(json.dumps(meta['options']))[k])
            raise ValueError(
                f'{out_dir} holds a VPO build with other options '
                f'({diff or "format/classes"}); resume with the same '
                'options or use another output folder.')
        return
    _write_atomic(path, json.dumps(meta, indent=2).encode())
