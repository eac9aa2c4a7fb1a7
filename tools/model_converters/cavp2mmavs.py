# Copyright (c) mmavs contributors. All rights reserved.
"""Convert a released CAVP checkpoint (cyh-0/CAVP) to mmavs.

Takes the training checkpoint (``{'model': state_dict, ...}``) or a plain
state dict, keys with or without ``module.``, with the VGG (AVSBench
releases) or ResNet-18 (VPO code, mono or stereo) audio encoder. The
output loads strictly into the matching config; ``--config`` checks that
before writing. Example::

    python tools/model_converters/cavp2mmavs.py avss_224.pth \\
        cavp_avss_224.pth \\
        --config configs/cavp/cavp_r50-d16_1xb16-80e_avss-224x224.py
"""
import argparse
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.runner import save_checkpoint

from mmavs.models.losses.audio_bank import ClassAudioBank
from mmavs.models.utils import cavp_convert, state_dict_mismatch
from mmavs.registry import MODELS
from mmavs.utils import load_local_checkpoint, register_all_modules


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert a released CAVP checkpoint to mmavs')
    parser.add_argument('src', help='official CAVP checkpoint')
    parser.add_argument('dst', help='output checkpoint path')
    parser.add_argument(
        '--config', help='check that the output loads strictly into it')
    return parser.parse_args()


def check_strict(state_dict: dict, config: str) -> None:
    """Check that ``state_dict`` loads strictly into the model of
    ``config`` (same keys, same shapes; the model is built on the meta
    device); raise naming every missing and unexpected key and every shape
    mismatch."""
    register_all_modules()
    cfg = Config.fromfile(config)
    with torch.device('meta'):
        model = MODELS.build(cfg.model)
    # the CAVPLoss audio bank is training state (empty when absent)
    banks = {
        f'{name}.{key}'
        for name, module in model.named_modules()
        if isinstance(module, ClassAudioBank) for key in ('classes', 'clips')
    }
    expected = {
        k: v
        for k, v in model.state_dict().items() if k not in banks
    }
    missing, unexpected, misshapen = state_dict_mismatch(state_dict, expected)
    if missing or unexpected or misshapen:
        raise ValueError(f'does not load strictly into {config}: missing '
                         f'{missing}, unexpected {unexpected}, misshapen '
                         f'{misshapen}')


def main() -> None:
    args = parse_args()
    checkpoint = load_local_checkpoint(args.src, map_location='cpu')
    try:
        converted, info = cavp_convert(checkpoint)
        if args.config:
            check_strict(converted, args.config)
    except ValueError as e:
        raise ValueError(f'{args.src}: {e}') from None
    meta = dict(converter='cavp2mmavs', source=osp.basename(args.src), **info)
    save_checkpoint(dict(state_dict=converted, meta=meta), args.dst)
    print(f'{info["audio"]} audio ({info["in_channels"]} channel(s)), '
          f'{info["num_classes"]} classes: {len(converted)} tensors -> '
          f'{args.dst} ({len(info["dropped_keys"])} unused official keys '
          'dropped)')


if __name__ == '__main__':
    main()
