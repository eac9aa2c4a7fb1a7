# Copyright (c) mmavs contributors. All rights reserved.
"""Join clips of an AVSBench-Object split into one frame folder with one
wav, the input of ``demo/video_demo.py`` (a folder of one frame a second
and its only wav). Frame ``k`` of clip ``c`` becomes ``{c*T+k+1:04d}.png``
and the wav is the clips' audio, each cut or zero-padded to T seconds, in
the same order. Example::

    python tools/misc/join_avs_clips.py data/synthetic_avs demo_in \\
        --subset ms3 --split test --num-clips 4
    python demo/video_demo.py demo_in CONFIG CHECKPOINT --out demo.mp4
"""
import argparse
import os
import os.path as osp
import shutil
from typing import List, Optional, Sequence

import numpy as np
import soundfile as sf

from mmavs.audio import load_wav
from mmavs.audio.io import INT16_SCALE
from mmavs.datasets import AVSBenchObjectDataset


def join_clips(data_root: str,
               out: str,
               subset: str = 'ms3',
               split: str = 'test',
               num_clips: int = 4,
               start: int = 0) -> List[str]:
    """Write ``num_clips`` clips from clip ``start`` on into ``out``.

    Returns:
        list[str]: Names of the joined clips, in order.

    Raises:
        FileExistsError: ``out`` exists and is not empty.
        ValueError: Too few clips, or wavs of different sample rates or
            channel counts.
    """
    dataset = AVSBenchObjectDataset(
        data_root, subset=subset, split=split, serialize_data=False)
    infos = dataset.data_list[start:start + num_clips]
    if num_clips < 1 or len(infos) < num_clips:
        raise ValueError(f'{data_root} ({subset} {split}) has '
                         f'{len(dataset)} clips; cannot take {num_clips} '
                         f'from clip {start}.')
    if osp.isdir(out) and os.listdir(out):
        raise FileExistsError(f'Output folder is not empty: {out}')
    os.makedirs(out, exist_ok=True)
    waves, rate = [], None
    for c, info in enumerate(infos):
        T = len(info['img_paths'])
        for k, path in enumerate(info['img_paths']):
            ext = osp.splitext(path)[1]
            shutil.copyfile(path, osp.join(out, f'{c * T + k + 1:04d}{ext}'))
        wave, sr = load_wav(info['audio_path'])
        if waves and (sr != rate or wave.shape[0] != waves[0].shape[0]):
            raise ValueError(
                f"{info['audio_path']}: {wave.shape[0]} channel(s) at {sr} "
                f'Hz, the first clip has {waves[0].shape[0]} at {rate} Hz.')
        rate, length = sr, T * sr
        wave = wave[:, :length]
        waves.append(np.pad(wave, ((0, 0), (0, length - wave.shape[1]))))
    # back to the 16-bit samples that load_wav read (x / 32768)
    pcm = np.clip(np.round(np.concatenate(waves, axis=1) * INT16_SCALE),
                  -32768, 32767).astype(np.int16)
    sf.write(osp.join(out, 'audio.wav'), pcm.T, rate, subtype='PCM_16')
    return [info['clip_name'] for info in infos]


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root', help='AVSBench-Object tree')
    parser.add_argument('out', help='output frame folder')
    parser.add_argument('--subset', default='ms3', choices=('s4', 'ms3'))
    parser.add_argument('--split', default='test')
    parser.add_argument('--num-clips', type=int, default=4)
    parser.add_argument('--start', type=int, default=0, help='first clip')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    names = join_clips(args.data_root, args.out, args.subset, args.split,
                       args.num_clips, args.start)
    print(f'joined {len(names)} clips ({", ".join(names)}) into {args.out}')


if __name__ == '__main__':
    main()
