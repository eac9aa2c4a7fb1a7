# Copyright (c) mmavs contributors. All rights reserved.
"""AVSegFormer's audio query generator and cross-modal mixer inside a stock
mmseg model: SegFormer MiT-b0 from mmseg's config tree, its head replaced
by AVSegFormerHead (configs/mix_mmseg/, docs/mix_into_mmseg.md)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.structures import PixelData
from mmseg.models.backbones import MixVisionTransformer
from mmseg.structures import SegDataSample

from mmavs.models.decode_heads import AVSegFormerHead
from mmavs.models.fusion import CrossModalMixer
from mmavs.models.layers import AudioQueryGenerator
from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(
    ROOT, 'configs', 'mix_mmseg',
    'segformer-avsegformer_mit-b0_1xb2-30e_avsbench-ms3-224x224.py')


@pytest.fixture(scope='module')
def model():
    cfg = Config.fromfile(CONFIG).model
    cfg.backbone.pop('init_cfg')
    cfg.audio_backbone.pop('init_cfg')
    # a smaller head of the same kind, for speed
    cfg.decode_head.update(
        num_queries=8,
        mlp_channels=32,
        query_generator=dict(type='AudioQueryGenerator', num_layers=1),
        encoder=dict(type='DeformableTransformerEncoder', num_layers=1),
        decoder=dict(type='QueryTransformerDecoder', num_layers=1))
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def test_stock_backbone_and_audio_parts(model):
    assert type(model.backbone) is MixVisionTransformer  # mmseg's own
    head = model.decode_head
    assert isinstance(head, AVSegFormerHead) and head.takes_audio
    assert isinstance(head.query_generator, AudioQueryGenerator)
    assert isinstance(head.mixer, CrossModalMixer)
    assert head.in_channels == [32, 64, 160, 256]  # the MiT-b0 levels


def test_trains_and_listens(model):
    imgs = torch.randn(1, 2, 3, 64, 64) * 50 + 120
    audio = torch.randn(1, 2, 1, 96, 64)
    samples = [
        SegDataSample(
            gt_sem_seg=PixelData(data=torch.randint(0, 2, (1, 64, 64))),
            metainfo=dict(
                img_shape=(64, 64), ori_shape=(64, 64), pad_shape=(64, 64)))
        for _ in range(2)
    ]
    data = model.data_preprocessor(
        dict(inputs=dict(imgs=imgs, audio=audio), data_samples=samples),
        True)
    model.train()
    losses = model(**data, mode='loss')
    assert set(losses) == {'decode.loss_dice', 'decode.loss_mix'}
    sum(losses.values()).backward()
    head = model.decode_head
    for part in (head.query_generator, head.mixer, head.audio_proj):
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for p in part.parameters())
    assert model.backbone.layers[0][0].projection.weight.grad is not None

    model.eval()
    with torch.no_grad():
        preds = model(**data, mode='predict')
        assert len(preds) == 2
        logits = preds[0].seg_logits.data.clone()  # samples are reused
        assert logits.shape == (1, 64, 64)
        other = dict(data, inputs=dict(data['inputs'], audio=-data['inputs']
                                       ['audio']))
        others = model(**other, mode='predict')
    assert not torch.allclose(logits, others[0].seg_logits.data)
