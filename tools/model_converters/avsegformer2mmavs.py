# Copyright (c) mmavs contributors. All rights reserved.
"""Convert a released AVSegFormer checkpoint to mmavs.

The release saves the whole model, VGGish included, so the output loads
strictly into the matching config of ``configs/avsegformer/`` and runs with
``tools/test.py``. Every key the release builds but never uses is dropped
and named. Example::

    python tools/model_converters/avsegformer2mmavs.py S4_best.pth \\
        avsegformer_pvt-v2-b5_s4.pth
"""
import argparse
import os.path as osp

from mmengine.runner import save_checkpoint

from mmavs.models.utils import avsegformer_convert
from mmavs.utils import load_local_checkpoint


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert a released AVSegFormer checkpoint to mmavs')
    parser.add_argument('src', help='released AVSegFormer checkpoint')
    parser.add_argument('dst', help='output checkpoint path')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    state_dict = load_local_checkpoint(args.src, map_location='cpu')
    try:
        converted, info = avsegformer_convert(state_dict)
    except ValueError as e:
        raise SystemExit(f'{args.src}: {e}') from None
    meta = dict(
        converter='avsegformer2mmavs', source=osp.basename(args.src), **info)
    save_checkpoint(dict(state_dict=converted, meta=meta), args.dst)
    dropped = info['dropped_keys']
    print(f'{info["backbone"]}, {info["num_classes"]} output channels: '
          f'{len(converted)} tensors -> {args.dst}')
    print(f'{len(dropped)} keys built but unused by the release dropped:')
    for prefix in sorted({'.'.join(k.split('.')[:2]) for k in dropped}):
        names = [k for k in dropped if k.startswith(prefix + '.')]
        print(f'  {prefix}.* ({len(names)} keys)')
    for key in dropped:
        print(f'    {key}')


if __name__ == '__main__':
    main()
