# Copyright (c) mmavs contributors. All rights reserved.
"""Convert the PyTorch VGGish release into a checkpoint of mmavs's VGGish.

Checks the weights (``vggish-10086976.pth``) against :class:`VGGish` and
adds the PCA parameters (``vggish_pca_params-970ea276.pth``, numpy arrays
pickled under numpy 1) as float32 ``pproc.*`` for ``postprocess=True``.
The output loads with
``audio_backbone=dict(type='VGGish', init_cfg=dict(type='Pretrained',
checkpoint=DST))``. Example::

    python tools/model_converters/vggish2mmavs.py vggish-10086976.pth \\
        vggish_mmavs.pth --pca vggish_pca_params-970ea276.pth
"""
import argparse
import os.path as osp

from mmengine.runner import save_checkpoint

from mmavs.models.utils import vggish_convert
from mmavs.utils import load_local_checkpoint


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert the PyTorch VGGish release to mmavs')
    parser.add_argument('src', help='VGGish weights (vggish-10086976.pth)')
    parser.add_argument('dst', help='output checkpoint path')
    parser.add_argument('--pca',
                        help='PCA parameters (vggish_pca_params-970ea276.pth)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    weights = load_local_checkpoint(args.src, map_location='cpu')
    pca = None
    if args.pca:
        pca = load_local_checkpoint(args.pca, map_location='cpu')
    try:
        state_dict = vggish_convert(weights, pca)
    except ValueError as e:
        raise ValueError(f'{args.src} / {args.pca}: {e}') from None
    meta = dict(converter='vggish2mmavs',
                source=osp.basename(args.src),
                pca_source=osp.basename(args.pca) if args.pca else None)
    save_checkpoint(dict(state_dict=state_dict, meta=meta), args.dst)
    print(f'{len(state_dict)} tensors -> {args.dst}')


if __name__ == '__main__':
    main()
