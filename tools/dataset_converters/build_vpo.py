# Copyright (c) mmavs contributors. All rights reserved.
"""Build a Visual Post-production (VPO) benchmark subset (CAVP/VPO, CVPR
2024, Sec. 3 and appendix A) from a COCO-format instance-segmentation set
and an audio collection labelled by class, e.g. COCO + VGGSound::

    python tools/dataset_converters/build_vpo.py --subset ms \\
        --ann-file data/coco/annotations/instances_train2017.json \\
        --image-dir data/coco/train2017 \\
        --audio-csv data/vggsound/vpo_audio.csv \\
        --audio-dir data/vggsound/wav --out data/vpo/ms --seed 0

The audio CSV has a header with ``file`` (relative to ``--audio-dir``) and
``label`` columns; ``--class-map`` (default: ``vpo_class_map.yaml`` next to
this script, the paper's Table 7) maps category names to audio labels. An
interrupted build continues when run again with the same arguments. See
docs/dataset_prepare.md and :mod:`mmavs.datasets.vpo_build`.
"""
import argparse
import os.path as osp

from mmavs.datasets.vpo_build import SUBSETS, build_vpo

DEFAULT_CLASS_MAP = osp.join(osp.dirname(osp.abspath(__file__)),
                             'vpo_class_map.yaml')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--subset', required=True, choices=SUBSETS)
    parser.add_argument('--ann-file', required=True,
                        help='COCO-format instance segmentation JSON')
    parser.add_argument('--image-dir', required=True)
    parser.add_argument('--audio-csv', required=True,
                        help='CSV with "file" and "label" columns')
    parser.add_argument('--audio-dir', required=True)
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--class-map', default=DEFAULT_CLASS_MAP,
                        help='YAML lookup table (default: Table 7)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--test-ratio', type=float, default=None,
        help="chance of an image to go to the test split (default: the "
        "paper's ratio of the subset)")
    parser.add_argument('--duration', type=float, default=10.0,
                        help='seconds of audio per sample')
    parser.add_argument('--sample-rate', type=int, default=16000)
    parser.add_argument('--max-sources', type=int, default=5,
                        help='most sounding objects per image')
    parser.add_argument(
        '--max-samples', type=int, default=None,
        help='most images (per part for msmi), images with more classes '
        'first (default: all eligible)')
    parser.add_argument('--no-progress', action='store_true')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        run(args)
    except (OSError, ValueError) as e:  # bad input: the message names it
        raise SystemExit(f'build_vpo: {e}')


def run(args: argparse.Namespace) -> None:
    build_vpo(
        args.out,
        args.subset,
        ann_file=args.ann_file,
        image_dir=args.image_dir,
        audio_csv=args.audio_csv,
        audio_dir=args.audio_dir,
        class_map=args.class_map,
        seed=args.seed,
        test_ratio=args.test_ratio,
        duration=args.duration,
        sample_rate=args.sample_rate,
        max_sources=args.max_sources,
        max_samples=args.max_samples,
        progress=not args.no_progress)


if __name__ == '__main__':
    main()
