# Copyright (c) mmavs contributors. All rights reserved.
"""Segment the sounding objects of a video and write it back with the masks
overlaid and its audio.

The video is decoded, segmented and written as it goes (T-second windows),
so memory does not grow with its length; a progress bar shows the real-time
factor (video seconds per wall-clock second).

Example::

    python demo/video_demo.py video.mp4 CONFIG CHECKPOINT --out out.mp4 \\
        --png-dir masks/ --json areas.json
"""
import argparse

from mmavs.apis import VideoStream, init_model, track_progress
from mmavs.apis.results import frame_areas
from mmavs.apis.video_io import FrameSource, open_audio
from mmavs.apis.video_writer import (OverlayVideoWriter, mask_png_path,
                                     save_areas_json, summary, write_mask_png)


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


def segment(stream: VideoStream,
            args: argparse.Namespace,
            progress: bool = True) -> list:
    """Write the outputs (``args.out``, ``png_dir``, ``json``, ``alpha``)
    as the results come, with a progress bar if ``progress``; the
    per-second areas."""
    reader = stream.reader
    source = FrameSource(reader.frames.path, reader.frames.fps)
    audio = open_audio(source, reader.audio_file) if reader.has_audio \
        else None
    binary = len(stream.classes) == 2
    areas = []
    with OverlayVideoWriter(args.out, source, stream.palette, args.alpha,
                            audio) as writer:
        for result in track_progress(stream) if progress else stream:
            writer.write(result.mask)
            if args.png_dir:
                write_mask_png(
                    result.mask,
                    mask_png_path(args.png_dir, reader.frames.path,
                                  result.index), binary)
            areas.append(
                frame_areas(result.index, result.time, result.mask,
                            stream.classes))
        writer.close(reader.duration)
    if args.json:
        save_areas_json(args.json, reader.frames.path, reader.duration,
                        reader.has_audio, stream.classes, areas)
    return areas


def main() -> None:
    args = parse_args()
    if not 0 <= args.alpha <= 1:
        raise SystemExit(f'--alpha must be in [0, 1], got {args.alpha}')
    model = init_model(args.config, args.checkpoint, device=args.device)
    try:
        stream = VideoStream(
            model,
            args.video,
            audio=args.audio,
            fps=args.fps,
            silent_ok=args.silent_ok,
            batch_size=args.batch_size)
        if not stream.reader.has_audio:
            print('no audio track: segmented with silence')
        areas = segment(stream, args)
    except (OSError, ValueError) as e:  # bad video/audio: the message names it
        raise SystemExit(f'video_demo: {e}')
    print(summary(args.video, areas, args.out))


if __name__ == '__main__':
    main()
