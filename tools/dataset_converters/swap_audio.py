# Copyright (c) mmavs contributors. All rights reserved.
"""Re-pair AVSBench-Object S4 clips with other audio of the same category:
AVS-M-SS, the VPO validation experiment of CAVP/VPO (CVPR 2024, Sec. 5.2).

Writes a new tree in the official S4 layout, so that
:class:`AVSBenchObjectDataset`, every S4 config (change ``data_root``) and
the official TPAVI code read it unchanged:

- ``s4_data/visual_frames`` and ``s4_data/gt_masks`` link to the source;
- ``s4_data/audio_wav/<split>/<category>/<name>.wav``: the new audio, mono
  16 kHz 16-bit, cut or zero-padded to ``--duration`` seconds;
- ``s4_data/audio_log_mel/...pkl``: its VGGish log-mel examples (the
  official code reads these), pickled tensors of shape (5, 1, 96, 64);
- ``s4_meta_data.csv`` copied, and ``audio_swap.csv`` recording each clip's
  new audio source.

A new metadata CSV alone would not do: the dataset and the official code
find a clip's audio by its name, and the precomputed log-mel must change
too. Audio comes from other clips of the same category in the release (by
default), or from a labelled collection (``--audio-csv``, e.g. VGGSound;
categories match labels by :func:`normalize_label` or ``--class-map``).
Same seed, same output. Example::

    python tools/dataset_converters/swap_audio.py \\
        --data-root data/avsbench/Single-source \\
        --out data/avsbench/AVS-M-SS --seed 0 \\
        --audio-csv data/vggsound/audio.csv --audio-dir data/vggsound/wav
"""
import argparse
import csv
import os
import os.path as osp
import pickle
import shutil
from typing import Dict, List, Optional

import mmengine
import numpy as np

from mmavs.audio import load_wav, waveform_to_vggish_examples
from mmavs.datasets import AVSBenchObjectDataset
from mmavs.datasets.transforms.audio_swap import match_pool
from mmavs.datasets.vpo_build import encode_wav, load_clip, read_audio_csv

SAMPLE_RATE = 16000


def _clips(data_root: str) -> List[dict]:
    """Data infos of every S4 clip, split by split."""
    return [
        info for split in AVSBenchObjectDataset.SPLITS
        for info in AVSBenchObjectDataset(
            data_root, subset='s4', split=split,
            serialize_data=False).data_list
    ]


def _pools(clips: List[dict], audio_csv: Optional[str],
           audio_dir: Optional[str],
           class_map: Optional[Dict[str, List[str]]]) -> Dict[str, list]:
    """Category -> candidate audio files (absolute paths)."""
    categories = sorted({c['category'] for c in clips})
    if audio_csv is None:
        pool: Dict[str, list] = {}
        for c in clips:
            pool.setdefault(c['category'], []).append(c['audio_path'])
        for name, files in pool.items():
            if len(files) < 2:
                raise ValueError(f'Category {name!r} has a single clip; '
                                 'there is no other clip to swap with.')
        return pool
    pool = match_pool(categories, read_audio_csv(audio_csv), class_map,
                      audio_csv)
    return {
        k: [osp.join(audio_dir, f) for f in files]
        for k, files in pool.items()
    }


def swap_audio(data_root: str,
               out: str,
               seed: int = 0,
               audio_csv: Optional[str] = None,
               audio_dir: Optional[str] = None,
               class_map: Optional[Dict[str, List[str]]] = None,
               duration: float = 5.0) -> List[dict]:
    """Write the re-paired S4 tree (see the module docstring).

    Args:
        data_root (str): The S4 release (``Single-source``).
        out (str): New tree; must not exist.
        seed (int): Seed of the draws. Defaults to 0.
        audio_csv (str, optional): ``file,label`` list of an audio
            collection. Defaults to None (other clips of the release).
        audio_dir (str, optional): Its folder. Required with ``audio_csv``.
        class_map (dict, optional): Category -> audio labels.
        duration (float): Seconds of audio per clip. Defaults to 5.0.

    Returns:
        list[dict]: Per clip: ``name, split, category, source``.
    """
    if osp.exists(out):
        raise FileExistsError(f'Output folder exists: {out}')
    if (audio_csv is None) != (audio_dir is None):
        raise ValueError('audio_csv and audio_dir go together.')
    clips = _clips(data_root)
    pools = _pools(clips, audio_csv, audio_dir, class_map)
    rng = np.random.default_rng(seed)
    records = []
    for clip in clips:
        candidates = [
            f for f in pools[clip['category']] if f != clip['audio_path']
        ]
        source = candidates[rng.integers(len(candidates))]
        rel = osp.relpath(clip['audio_path'], data_root)
        wave = load_clip(source, SAMPLE_RATE, round(duration * SAMPLE_RATE))
        _write(osp.join(out, rel), encode_wav(wave[None], SAMPLE_RATE))
        # the log-mel of the wav as written (after 16-bit quantisation)
        examples = waveform_to_vggish_examples(
            load_wav(osp.join(out, rel))[0],
            SAMPLE_RATE,
            num_examples=clip['num_frames'])
        _write(
            osp.join(out, osp.relpath(clip['log_mel_path'], data_root)),
            pickle.dumps(examples.float()))
        records.append(
            dict(
                name=clip['clip_name'],
                split=clip['split'],
                category=clip['category'],
                source=osp.relpath(source, audio_dir or data_root)))
    for sub in ('visual_frames', 'gt_masks'):
        os.symlink(
            osp.abspath(osp.join(data_root, 's4_data', sub)),
            osp.join(out, 's4_data', sub))
    shutil.copyfile(
        osp.join(data_root, 's4_meta_data.csv'),
        osp.join(out, 's4_meta_data.csv'))
    with open(osp.join(out, 'audio_swap.csv'), 'w', newline='') as f:
        writer = csv.DictWriter(f, ['name', 'split', 'category', 'source'])
        writer.writeheader()
        writer.writerows(records)
    return records


def _write(path: str, data: bytes) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--data-root', required=True, help='S4 release')
    parser.add_argument('--out', required=True, help='new tree')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--audio-csv', help='"file,label" audio list')
    parser.add_argument('--audio-dir')
    parser.add_argument('--class-map',
                        help='YAML {classes: {category: [audio labels]}}')
    parser.add_argument('--duration', type=float, default=5.0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    class_map = mmengine.load(args.class_map)['classes'] \
        if args.class_map else None
    records = swap_audio(args.data_root, args.out, args.seed,
                         args.audio_csv, args.audio_dir, class_map,
                         args.duration)
    print(f'Wrote {len(records)} re-paired clips to {args.out}')


if __name__ == '__main__':
    main()
