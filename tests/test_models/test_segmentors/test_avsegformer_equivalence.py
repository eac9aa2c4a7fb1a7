# Copyright (c) mmavs contributors. All rights reserved.
"""The mmavs AVSegFormer gives the released model's logits.

An independent re-implementation of the release (``avsegformer_reference``,
torch only) with random weights and non-trivial norm statistics is
converted by ``avsegformer_convert`` and loaded strictly into the model the
configs build; logits and mask features must agree to 1e-4 on T = 5 frames.
PVT-v2-b5 (40 blocks in stage 3) is slow on CPU: the PVT-v2 case runs the
same code with channels (32, 64, 160, 256) and one block a stage; the b5
key layout is covered by a converter test.
"""
import os.path as osp

import pytest
import torch
from avsegformer_reference import AVSegFormerRef, B2ResNet50, PVTv2, randomise
from mmengine.config import Config

from mmavs.models.utils import avsegformer_convert
from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

CONFIGS = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__)))), 'configs',
    'avsegformer')
PVT_SMALL = dict(
    dims=(32, 64, 160, 256),
    depths=(1, 1, 1, 1),
    heads=(1, 2, 5, 8),
    mlp_ratios=(8, 8, 4, 4))


def build_mmavs(config: str, backbone: dict = None):
    register_all_modules()
    cfg = Config.fromfile(osp.join(CONFIGS, config)).model
    cfg.backbone.pop('init_cfg', None)
    cfg.audio_backbone.pop('init_cfg', None)
    if backbone is not None:
        cfg.backbone = dict(cfg.backbone, **backbone)
        cfg.decode_head.in_channels = list(backbone['embed_dims'])
    return MODELS.build(cfg)


def compare(ref: AVSegFormerRef, model, size: int = 64) -> None:
    gen = torch.Generator().manual_seed(0)
    randomise(ref, gen)
    ref.eval()
    converted, info = avsegformer_convert(ref.state_dict())
    assert info['dropped_keys']
    model.load_state_dict(converted, strict=True)
    model.eval()
    frames = torch.randn(5, 3, size, size, generator=gen)
    audio = torch.randn(5, 1, 96, 64, generator=gen)
    with torch.no_grad():
        expected, expected_mask = ref(audio, frames)
        feats = model.extract_feat(
            dict(imgs=frames[None], audio=audio[None]))
        logits, mask_feature = model.decode_head.forward_with_mask_feature(
            feats)
    assert logits.shape == (5, 1, size, size)
    assert expected.abs().max() > 1e-2  # not a degenerate comparison
    torch.testing.assert_close(logits, expected, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(
        mask_feature, expected_mask, rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_r50_equals_release():
    torch.manual_seed(0)
    ref = AVSegFormerRef(B2ResNet50(), [256, 512, 1024, 2048])
    compare(ref,
            build_mmavs('avsegformer_r50_1xb2-30e_avsbench-s4-224x224.py'))


def test_pvt_v2_equals_release():
    torch.manual_seed(0)
    ref = AVSegFormerRef(PVTv2(**PVT_SMALL), list(PVT_SMALL['dims']))
    model = build_mmavs(
        'avsegformer_pvt-v2-b5_1xb2-30e_avsbench-s4-224x224.py',
        backbone=dict(
            arch='b0',
            embed_dims=PVT_SMALL['dims'],
            depths=PVT_SMALL['depths'],
            num_heads=PVT_SMALL['heads'],
            mlp_ratios=PVT_SMALL['mlp_ratios']))
    compare(ref, model)
