# Copyright (c) mmavs contributors. All rights reserved.
"""Convert a TPAVI checkpoint of the official AVSBench code to mmavs.

The official checkpoints hold the visual model only (the frozen VGGish is
loaded separately); ``--vggish`` adds the VGGish release weights as
``audio_backbone.*`` so that ``tools/test.py`` (which loads the checkpoint
without running ``init_cfg``) gets a complete model. The output loads
strictly into the matching config, e.g.
``configs/tpavi/tpavi_r50_1xb4-15e_avsbench-s4-224x224.py`` (``r50``) or
the PVT-v2-b5 TPAVI configs (``pvt_v2_b5``), with ``fusion.stages`` equal
to the checkpoint's TPAVI stages. The AVSBench-Semantics checkpoints
(``avs_scripts/avss``: 71 classes, no audio-projection bias) load into
``configs/tpavi/tpavi-avm-av_{r50,pvt-v2-b5}_1xb4-60e_avss-224x224.py``.
Example::

    python tools/model_converters/avsbench2mmavs.py S4_res50.pth \\
        tpavi_r50_s4.pth --backbone r50 --vggish vggish-10086976.pth
"""
import argparse
import os.path as osp
import warnings

from mmengine.runner import save_checkpoint
from mmseg.utils import add_prefix

from mmavs.models.utils import avsbench_convert, vggish_convert
from mmavs.models.utils.ckpt_convert import AVSBENCH_BACKBONES
from mmavs.utils import load_local_checkpoint


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert an official AVSBench TPAVI checkpoint to mmavs')
    parser.add_argument('src', help='official AVSBench checkpoint')
    parser.add_argument('dst', help='output checkpoint path')
    parser.add_argument(
        '--backbone',
        choices=sorted(AVSBENCH_BACKBONES),
        help='visual backbone of the checkpoint (detected when omitted)')
    parser.add_argument('--vggish',
                        help='VGGish release weights (vggish-10086976.pth)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    state_dict = load_local_checkpoint(args.src, map_location='cpu')
    try:
        converted, info = avsbench_convert(state_dict, args.backbone)
    except ValueError as e:
        raise ValueError(f'{args.src}: {e}') from None
    if args.vggish:
        vggish = load_local_checkpoint(args.vggish, map_location='cpu')
        try:
            vggish = vggish_convert(vggish)
        except ValueError as e:
            raise ValueError(f'{args.vggish}: {e}') from None
        converted.update(add_prefix(vggish, 'audio_backbone'))
    else:
        warnings.warn('no --vggish: the output has no audio_backbone '
                      'weights, so tools/test.py (which skips init_cfg) '
                      'would run a randomly initialised VGGish')
    meta = dict(
        converter='avsbench2mmavs',
        source=osp.basename(args.src),
        vggish_source=osp.basename(args.vggish) if args.vggish else None,
        **info)
    save_checkpoint(dict(state_dict=converted, meta=meta), args.dst)
    print(f'{info["backbone"]}, TPAVI stages {info["tpavi_stages"]}, '
          f'{info["num_classes"]} output channels, audio projection '
          f'{"with" if info["audio_proj_bias"] else "without"} bias: '
          f'{len(converted)} tensors -> {args.dst} '
          f'({len(info["dropped_keys"])} unused official keys dropped)')


if __name__ == '__main__':
    main()
