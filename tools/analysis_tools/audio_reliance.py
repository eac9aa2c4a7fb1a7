# Copyright (c) mmavs contributors. All rights reserved.
"""Does the model listen? Test it on the same test set with the true audio,
with each clip's audio swapped for another clip's (of another class when the
dataset knows the classes), with silence and with white noise, and report
each metric and its drop relative to the true audio.

Writes, under ``--work-dir`` (default ``work_dirs/audio_reliance/<config>``):
``reliance.md`` (markdown table), ``reliance.json``, ``reliance.png`` (bar
chart), ``predictions.png`` (frames, ground truth and the prediction under
each condition, for a few clips) and one test work dir per condition.
"""
import argparse
import json
import os.path as osp
from typing import Dict, List

import cv2
import matplotlib
import mmcv
import numpy as np
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmavs.datasets import BaseAVSDataset
from mmavs.registry import DATASETS
from mmavs.utils import register_all_modules

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

CONDITIONS = ('true', 'swap', 'silence', 'noise')
LABELS = dict(
    true='true audio',
    swap='swapped audio',
    silence='silence',
    noise='white noise')
#: Metrics drawn in the bar chart when the test returns them.
MAIN_METRICS = ('mJ', 'mF', 'mIoU')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='test config')
    parser.add_argument('checkpoint', help='checkpoint')
    parser.add_argument('--work-dir', help='output folder')
    parser.add_argument(
        '--conditions', nargs='+', choices=CONDITIONS, default=CONDITIONS)
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the swap and the noise')
    parser.add_argument(
        '--num-clips', type=int, default=4, help='clips in predictions.png')
    parser.add_argument(
        '--cell', type=int, default=112, help='picture cell size (pixels)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='config overrides, as in tools/test.py')
    return parser.parse_args()


def perturb_pipeline(pipeline: List[dict], mode: str,
                     seed: int) -> List[dict]:
    """Insert ``PerturbAudio`` after ``LoadAudio``; precomputed log-mel
    (``LoadVGGishExamples``) is replaced by the wav and the VGGish
    front-end first."""
    out = []
    for t in pipeline:
        name = str(t['type']).split('.')[-1]
        if name == 'LoadVGGishExamples':
            out += [
                dict(type='LoadAudio'),
                dict(type='PerturbAudio', mode=mode, seed=seed),
                dict(
                    type='ComputeVGGishExamples',
                    num_examples=t.get('num_examples', 5))
            ]
            continue
        out.append(t)
        if name == 'LoadAudio':
            out.append(dict(type='PerturbAudio', mode=mode, seed=seed))
    if not any(t['type'] == 'PerturbAudio' for t in out):
        raise ValueError('the test pipeline loads no audio (no LoadAudio or '
                         'LoadVGGishExamples); cannot perturb it.')
    return out


def condition_config(args: argparse.Namespace, condition: str,
                     work_dir: str) -> Config:
    """The test config of one condition."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    dataset = cfg.test_dataloader.dataset
    if condition == 'swap':
        if not issubclass(DATASETS.get(dataset.type), BaseAVSDataset):
            raise ValueError(f'{dataset.type} has no shuffle_audio_seed '
                             'option: cannot swap audio; leave out swap.')
        dataset.shuffle_audio_seed = args.seed
    elif condition in ('silence', 'noise'):
        dataset.pipeline = perturb_pipeline(dataset.pipeline, condition,
                                            args.seed)
    cfg.work_dir = osp.join(work_dir, condition)
    cfg.load_from = args.checkpoint
    cfg.experiment_name = f'audio_reliance_{condition}'
    if str(cfg.test_evaluator.get('type', '')).endswith('AVSMetric'):
        cfg.test_evaluator['output_dir'] = osp.join(work_dir,
                                                    f'pred_{condition}')
    return cfg


def metric_names(metrics: dict) -> List[str]:
    """The main metrics (J, F, mIoU) first, then the others."""
    main = [n for n in MAIN_METRICS if n in metrics]
    return main + sorted(n for n in metrics if n not in main)


def report(metrics: Dict[str, dict], swap_rule: str) -> str:
    """Markdown table: each metric per condition and its drop from the
    true audio."""
    names = metric_names(metrics['true'])
    head = '| audio | ' + ' | '.join(names) + ' | ' + ' | '.join(
        f'drop {n}' for n in names) + ' |'
    lines = [head, '|---' * (1 + 2 * len(names)) + '|']
    for cond, values in metrics.items():
        drops = [metrics['true'][n] - values[n] for n in names]
        lines.append(f'| {LABELS[cond]} | ' +
                     ' | '.join(f'{values[n]:.3f}' for n in names) + ' | ' +
                     ' | '.join(f'{d:+.3f}' for d in drops) + ' |')
    return ('Same test set and model; only the audio changes. drop = true '
            f'audio - condition. swap: {swap_rule}. noise: white Gaussian '
            'noise with the RMS of the clip.\n\n' + '\n'.join(lines) + '\n')


def bar_chart(metrics: Dict[str, dict], title: str, path: str) -> None:
    names = metric_names(metrics['true'])
    fig, ax = plt.subplots(figsize=(1.6 + 1.5 * len(names), 3.2), dpi=120)
    width = 0.8 / len(metrics)
    for i, (cond, values) in enumerate(metrics.items()):
        xs = np.arange(len(names)) + (i - (len(metrics) - 1) / 2) * width
        bars = ax.bar(xs, [values[n] for n in names], width,
                      label=LABELS[cond])
        ax.bar_label(bars, fmt='%.2f', fontsize=7)
    ax.set_xticks(np.arange(len(names)), names)
    ax.set_ylim(0, 1.05 * max(max(v.values()) for v in metrics.values()))
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc='upper center', ncols=len(metrics),
              bbox_to_anchor=(0.5, -0.12), frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def load_cell(path: str, size: int, is_mask: bool = False) -> np.ndarray:
    """A (size, size, 3) BGR tile; masks white on black, grey if none."""
    if path is None or not osp.isfile(path):
        return np.full((size, size, 3), 64, np.uint8)
    img = mmcv.imread(path, flag='unchanged' if is_mask else 'color')
    if is_mask:
        img = img.reshape(img.shape[:2] + (-1, )).max(-1)
        img = np.repeat(np.where(img > 0, 255, 0).astype(np.uint8)[..., None],
                        3, axis=2)
    return mmcv.imresize(img, (size, size), interpolation='nearest')


def draw_predictions(cfg: Config, work_dir: str, conditions: List[str],
                     num_clips: int, size: int) -> str:
    """Rows per clip: frames, ground truth, the prediction of each
    condition (read from the ``pred_<condition>`` folders)."""
    dataset_cfg = cfg.test_dataloader.dataset.copy()
    dataset_cfg.pipeline = []
    dataset_cfg.pop('shuffle_audio_seed', None)
    dataset = DATASETS.build(dataset_cfg)
    rows, labels = [], []
    for i in range(min(num_clips, len(dataset))):
        info = dataset.get_data_info(i)
        rows.append([load_cell(p, size) for p in info['img_paths']])
        rows.append(
            [load_cell(p, size, True) for p in info['seg_map_paths']])
        labels += ['frame', 'ground truth']
        for cond in conditions:
            stems = [
                osp.splitext(osp.basename(p))[0] for p in info['img_paths']
            ]
            rows.append([
                load_cell(
                    osp.join(work_dir, f'pred_{cond}', info['clip_name'],
                             f'{s}.png'), size, True) for s in stems
            ])
            labels.append(f'pred, {LABELS[cond]}')
    grid = np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)
    margin = np.full((grid.shape[0], 170, 3), 255, np.uint8)
    for i, label in enumerate(labels):
        cv2.putText(margin, label, (4, i * size + size // 2),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    out = osp.join(work_dir, 'predictions.png')
    mmcv.imwrite(np.concatenate([margin, grid], axis=1), out)
    return out


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=False)
    name = osp.splitext(osp.basename(args.config))[0]
    work_dir = args.work_dir or osp.join('work_dirs', 'audio_reliance', name)
    conditions = ['true'] + [c for c in args.conditions if c != 'true']
    metrics, swap_rule = {}, 'not run'
    for cond in conditions:
        cfg = condition_config(args, cond, work_dir)
        runner = Runner.from_cfg(cfg)
        metrics[cond] = runner.test()
        if cond == 'swap':
            swap_rule = runner.test_dataloader.dataset.audio_swap_rule
    table = report(metrics, swap_rule)
    with open(osp.join(work_dir, 'reliance.md'), 'w') as f:
        f.write(table)
    with open(osp.join(work_dir, 'reliance.json'), 'w') as f:
        json.dump(dict(metrics=metrics, swap=swap_rule), f, indent=2)
    bar_chart(metrics, f'Audio reliance: {name}',
              osp.join(work_dir, 'reliance.png'))
    print(table)
    if args.num_clips > 0 and 'output_dir' in cfg.test_evaluator:
        print('predictions drawn in ' + draw_predictions(
            cfg, work_dir, conditions, args.num_clips, args.cell))


if __name__ == '__main__':
    main()
