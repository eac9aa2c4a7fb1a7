# Copyright (c) mmavs contributors. All rights reserved.
"""Compare a model tested with each clip's own audio against the same model
tested with another clip's audio, and draw the predictions of both.

Reads ``<work>/<true>/test_metrics.json`` and ``<work>/<swapped>/...`` (written
by ``tools/test.py --work-dir``) and the masks saved by ``tools/test.py --out``
in ``<work>/pred_<true>`` and ``<work>/pred_<swapped>``. Writes
``<work>/audio_swap.md`` and ``<work>/predictions.png``.
"""
import argparse
import json
import os.path as osp
from typing import List

import cv2
import mmcv
import numpy as np
from mmengine.config import Config, DictAction

from mmavs.registry import DATASETS
from mmavs.utils import register_all_modules


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the config the model was tested with')
    parser.add_argument('work_dir', help='quick-start work dir')
    parser.add_argument('--true', default='test_true_audio')
    parser.add_argument('--swapped', default='test_swapped_audio')
    parser.add_argument(
        '--num-clips', type=int, default=4, help='clips in the picture')
    parser.add_argument(
        '--cell', type=int, default=112, help='picture cell size (pixels)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='config overrides, as in tools/test.py')
    return parser.parse_args()


def read_metrics(path: str) -> dict:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} not found: run tools/test.py with '
                                '--work-dir first')
    with open(path) as f:
        return json.load(f)


def report(true: dict, swapped: dict) -> str:
    """Markdown table of the metrics and their drop under swapped audio."""
    lines = [
        '| audio | ' + ' | '.join(sorted(true)) + ' |',
        '|---|' + '---|' * len(true),
        '| true | ' + ' | '.join(f'{true[k]:.3f}' for k in sorted(true)) +
        ' |',
        '| swapped | ' +
        ' | '.join(f'{swapped[k]:.3f}' for k in sorted(true)) + ' |',
        '| drop | ' + ' | '.join(f'{true[k] - swapped[k]:+.3f}'
                                 for k in sorted(true)) + ' |',
    ]
    return '\n'.join(lines) + '\n'


def load_cell(path: str, size: int, is_mask: bool = False) -> np.ndarray:
    """A (size, size, 3) BGR tile; masks are shown white on black."""
    if path is None or not osp.isfile(path):
        return np.full((size, size, 3), 64, np.uint8)  # grey: no label
    img = mmcv.imread(path, flag='unchanged' if is_mask else 'color')
    if is_mask:
        img = np.where(img.reshape(img.shape[:2] + (-1, )).max(-1) > 0, 255,
                       0).astype(np.uint8)
        img = np.repeat(img[..., None], 3, axis=2)
    return mmcv.imresize(img, (size, size), interpolation='nearest')


def prediction_path(pred_dir: str, clip: str, img_path: str) -> str:
    stem = osp.splitext(osp.basename(img_path))[0]
    return osp.join(pred_dir, clip, f'{stem}.png')


def draw(infos: List[dict], work: str, args: argparse.Namespace) -> str:
    """Rows per clip: frames, ground truth, prediction (true audio),
    prediction (swapped audio)."""
    rows, size = [], args.cell
    for info in infos[:args.num_clips]:
        frames = info['img_paths']
        rows.append([load_cell(p, size) for p in frames])
        rows.append([load_cell(p, size, True) for p in info['seg_map_paths']])
        for run in (args.true, args.swapped):
            pred_dir = osp.join(work, f'pred_{run}')
            rows.append([
                load_cell(
                    prediction_path(pred_dir, info['clip_name'], p), size,
                    True) for p in frames
            ])
    grid = np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)
    labels = ['frame', 'ground truth', 'pred, true audio',
              'pred, swapped audio']
    margin = np.full((grid.shape[0], 170, 3), 255, np.uint8)
    for i in range(len(rows)):
        cv2.putText(margin, labels[i % 4], (4, i * size + size // 2),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    out = osp.join(work, 'predictions.png')
    mmcv.imwrite(np.concatenate([margin, grid], axis=1), out)
    return out


def main() -> None:
    args = parse_args()
    register_all_modules()
    true = read_metrics(
        osp.join(args.work_dir, args.true, 'test_metrics.json'))
    swapped = read_metrics(
        osp.join(args.work_dir, args.swapped, 'test_metrics.json'))
    table = report(true, swapped)
    with open(osp.join(args.work_dir, 'audio_swap.md'), 'w') as f:
        f.write('Test split, each clip with its own audio (true) and with '
                'another clip\'s audio (swapped).\n\n' + table)
    print(table)

    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    cfg = cfg.test_dataloader.dataset
    cfg.pipeline = []
    dataset = DATASETS.build(cfg)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    print(f'predictions drawn in {draw(infos, args.work_dir, args)}')


if __name__ == '__main__':
    main()
