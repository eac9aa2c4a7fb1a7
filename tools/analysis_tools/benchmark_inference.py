# Copyright (c) mmavs contributors. All rights reserved.
"""Measure the peak memory and the real-time factor of video inference on
generated videos of several lengths.

Each video (H.264 + AAC, a disc moving over a gradient while a tone plays)
is generated once into ``--work-dir`` and segmented in a fresh process per
run, so that runs do not share memory: ``stream`` iterates
``mmavs.apis.VideoStream`` (results dropped as they come), ``demo`` runs
``demo/video_demo.py``'s loop (overlay video with audio written as it
reads), ``whole`` collects everything with ``inference_video``. Peak memory
is the peak resident set size of that process (``VmHWM``; on CUDA also
``torch.cuda.max_memory_allocated``); the real-time factor is video seconds
per wall-clock second of the run (model loading excluded). Weights are
random unless ``--checkpoint`` is given, which does not change the cost.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from typing import List, Sequence

import av
import numpy as np

DEMO = osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', 'demo',
                'video_demo.py')
SAMPLE_RATE = 16000
_STATUS = '/proc/self/status'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='model config file')
    parser.add_argument('--checkpoint', help='model weights (else random)')
    parser.add_argument(
        '--minutes',
        type=float,
        nargs='+',
        default=[1, 10, 30],
        help='video lengths in minutes')
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=(320, 180),
        metavar=('W', 'H'),
        help='frame size of the generated videos')
    parser.add_argument(
        '--fps', type=int, default=25, help='frame rate of the videos')
    parser.add_argument(
        '--modes',
        nargs='+',
        choices=('stream', 'demo', 'whole'),
        default=['stream', 'demo'],
        help='what to run on each video')
    parser.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    parser.add_argument(
        '--batch-size', type=int, default=1, help='windows per forward pass')
    parser.add_argument(
        '--work-dir',
        default=osp.join(tempfile.gettempdir(), 'mmavs_benchmark_inference'),
        help='where the generated videos are kept (and reused)')
    parser.add_argument(
        '--worker',
        nargs=2,
        metavar=('VIDEO', 'MODE'),
        help=argparse.SUPPRESS)  # one measured run, in this process
    return parser.parse_args(argv)


def frame_image(i: int, fps: int, width: int, height: int,
                background: np.ndarray) -> np.ndarray:
    """RGB frame ``i``: a disc of radius H/6 moving across ``background``
    at H/3 pixels a second."""
    img = background.copy()
    r = height // 6
    cx = int(i / fps * height / 3) % width
    cy = height // 2
    yy, xx = np.ogrid[-r:r + 1, -r:r + 1]
    disc = yy**2 + xx**2 <= r * r
    x0, x1 = max(cx - r, 0), min(cx + r + 1, width)
    patch = img[cy - r:cy + r + 1, x0:x1]
    patch[disc[:, x0 - cx + r:x1 - cx + r]] = (220, 40, 40)
    return img


def generate_video(path: str, seconds: float, width: int, height: int,
                   fps: int) -> str:
    """Write a test video, frame by frame (constant memory): H.264
    (``ultrafast``, yuv420p) and a mono 16 kHz AAC tone whose pitch changes
    every second."""
    tmp = path + '.part' + osp.splitext(path)[1]
    grad = np.linspace(40, 200, width, dtype=np.float32)
    background = np.broadcast_to(
        np.stack([grad, grad[::-1], np.full_like(grad, 90)], -1),
        (height, width, 3)).astype(np.uint8)
    with av.open(tmp, 'w') as out:
        video = out.add_stream('libx264', rate=fps)
        video.width, video.height, video.pix_fmt = width, height, 'yuv420p'
        video.options = {'preset': 'ultrafast'}
        audio = out.add_stream('aac', rate=SAMPLE_RATE, layout='mono')
        step, done = SAMPLE_RATE // fps, 0
        for i in range(int(round(seconds * fps))):
            frame = av.VideoFrame.from_ndarray(
                frame_image(i, fps, width, height, background),
                format='rgb24')
            out.mux(video.encode(frame))
            t = (done + np.arange(step)) / SAMPLE_RATE
            pitch = 440 * (1 + t.astype(int) % 3)
            wave = (0.3 * np.sin(2 * np.pi * pitch * t)).astype(np.float32)
            chunk = av.AudioFrame.from_ndarray(
                wave[None], format='fltp', layout='mono')
            chunk.sample_rate, chunk.pts = SAMPLE_RATE, done
            chunk.time_base = Fraction(1, SAMPLE_RATE)
            out.mux(audio.encode(chunk))
            done += step
        out.mux(video.encode(None))
        out.mux(audio.encode(None))
    os.replace(tmp, path)
    return path


def _status_mib(key: str) -> float:
    with open(_STATUS) as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


def run_worker(args: argparse.Namespace) -> dict:
    """One measured run in this process: load the model, segment the video
    in the given mode; the figures as a dict."""
    import torch

    from mmavs.apis import VideoStream, inference_video, init_model
    video, mode = args.worker
    model = init_model(args.config, args.checkpoint, device=args.device)
    cuda = torch.device(args.device).type == 'cuda'
    loaded_mib = _status_mib('VmRSS')
    start = time.perf_counter()
    if mode == 'whole':
        num_seconds = len(
            inference_video(model, video, batch_size=args.batch_size).masks)
    elif mode == 'stream':
        num_seconds = sum(
            1 for _ in VideoStream(model, video, batch_size=args.batch_size))
    else:
        num_seconds = _run_demo(model, video, args)
    if cuda:
        torch.cuda.synchronize(args.device)
    wall = time.perf_counter() - start
    return dict(
        video=video,
        mode=mode,
        seconds=num_seconds,
        wall_s=wall,
        rtf=num_seconds / wall,
        loaded_mib=loaded_mib,
        peak_mib=_status_mib('VmHWM'),
        cuda_peak_mib=torch.cuda.max_memory_allocated(args.device) / 2**20
        if cuda else None)


def _run_demo(model, video: str, args: argparse.Namespace) -> int:
    """The loop of ``demo/video_demo.py``, writing into a temporary file."""
    import importlib.util

    from mmavs.apis import VideoStream
    spec = importlib.util.spec_from_file_location('mmavs_video_demo', DEMO)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    with tempfile.TemporaryDirectory() as tmp:
        demo_args = argparse.Namespace(
            out=osp.join(tmp, 'out.mp4'), alpha=0.5, png_dir=None, json=None)
        stream = VideoStream(model, video, batch_size=args.batch_size)
        return len(demo.segment(stream, demo_args, progress=False))


def measure(args: argparse.Namespace, video: str, mode: str) -> dict:
    """Run the worker in a fresh process; its figures."""
    cmd = [
        sys.executable,
        osp.abspath(__file__), args.config, '--device', args.device,
        '--batch-size',
        str(args.batch_size), '--worker', video, mode
    ]
    if args.checkpoint:
        cmd += ['--checkpoint', args.checkpoint]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'{mode} run on {video} failed:\n'
                           f'{proc.stderr[-3000:]}')
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(rows: Sequence[dict], minutes: Sequence[float]) -> str:
    """Markdown table of the runs. The peak is given whole and above the
    level after loading the model (libraries and weights excluded), each
    also relative to the same mode's first (shortest) video."""
    header = [
        'minutes', 'mode', 'seconds segmented', 'wall s', 'real-time factor',
        'RSS after loading MiB', 'peak RSS MiB', 'peak / first',
        'peak above loading MiB', 'above loading / first'
    ]
    cuda = any(r['cuda_peak_mib'] is not None for r in rows)
    if cuda:
        header.append('CUDA peak MiB')
    first = {}
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    for m, r in zip(minutes, rows):
        above = r['peak_mib'] - r['loaded_mib']
        peak0, above0 = first.setdefault(r['mode'], (r['peak_mib'], above))
        cells = [
            f'{m:g}', r['mode'], r['seconds'], f"{r['wall_s']:.1f}",
            f"{r['rtf']:.2f}x", f"{r['loaded_mib']:.0f}",
            f"{r['peak_mib']:.0f}", f"{r['peak_mib'] / peak0:.3f}",
            f'{above:.0f}', f'{above / above0:.2f}'
        ]
        if cuda:
            cells.append(f"{r['cuda_peak_mib']:.0f}")
        lines.append('| ' + ' | '.join(str(c) for c in cells) + ' |')
    return '\n'.join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(run_worker(args)))
        return
    os.makedirs(args.work_dir, exist_ok=True)
    width, height = args.size
    rows: List[dict] = []
    lengths: List[float] = []
    for minutes in args.minutes:
        video = osp.join(args.work_dir,
                         f'{minutes:g}min_{width}x{height}_{args.fps}fps.mp4')
        if not osp.exists(video):
            start = time.perf_counter()
            generate_video(video, minutes * 60, width, height, args.fps)
            print(f'generated {video} in {time.perf_counter() - start:.0f} s',
                  flush=True)
        for mode in args.modes:
            rows.append(measure(args, video, mode))
            lengths.append(minutes)
            print(json.dumps(rows[-1]), flush=True)
    order = sorted(range(len(rows)), key=lambda i: (rows[i]['mode'], i))
    print(table([rows[i] for i in order], [lengths[i] for i in order]))


if __name__ == '__main__':
    main()
