# Copyright (c) mmavs contributors. All rights reserved.
"""Segment the sounding objects of a video and write it back with the masks
overlaid and its audio.

Example::

    python demo/video_demo.py video.mp4 CONFIG CHECKPOINT --out out.mp4 \\
        --png-dir masks/ --json areas.json
"""
import argparse

from mmavs.apis import inference_video, init_model
from mmavs.apis.video_writer import (summary, write_areas_json,
                                     write_mask_pngs, write_overlay_video)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'video', help='video file (mp4, mkv, webm, avi) or frame folder')
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='model checkpoint')
    parser.add_argument('--out', required=True, help='output video (.mp4)')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--alpha', type=float, default=0.5, help='mask opacity in [0, 1]')
    parser.add_argument('--png-dir', help='also write one PNG mask a second')
    parser.add_argument(
        '--json', help='also write the per-frame sounding-object areas')
    parser.add_argument(
        '--silent-ok',
        action='store_true',
        help='segment a video without audio track with silence')
    parser.add_argument('--audio', help='audio file of a frame folder')
    parser.add_argument(
        '--fps', type=float, default=1.0, help='frame rate of a frame folder')
    parser.add_argument(
        '--batch-size', type=int, default=1, help='windows per forward pass')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not 0 <= args.alpha <= 1:
        raise SystemExit(f'--alpha must be in [0, 1], got {args.alpha}')
    model = init_model(args.config, args.checkpoint, device=args.device)
    try:
        result = inference_video(
            model,
            args.video,
            audio=args.audio,
            fps=args.fps,
            silent_ok=args.silent_ok,
            batch_size=args.batch_size,
            progress=True)
    except (OSError, ValueError) as e:  # bad video/audio: the message names it
        raise SystemExit(f'video_demo: {e}')
    print()
    if not result.clip.has_audio:
        print('no audio track: segmented with silence')
    write_overlay_video(result, args.out, args.alpha, progress=True)
    if args.png_dir:
        write_mask_pngs(result, args.png_dir)
    if args.json:
        write_areas_json(result, args.json)
    print(summary(result, args.out))


if __name__ == '__main__':
    main()
