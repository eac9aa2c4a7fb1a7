# Copyright (c) mmavs contributors. All rights reserved.
"""configs/mix_mmseg: a stock mmseg model (from mmseg's own config tree,
``mmseg::``) becomes audio-visual by a child config that adds an audio
backbone, a fusion neck and the AVS data (docs/mix_into_mmseg.md)."""
import copy
import os.path as osp

import mmseg
import pytest
import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.structures import PixelData
from mmseg.models.backbones import MixVisionTransformer, ResNetV1c
from mmseg.models.decode_heads import (DepthwiseSeparableASPPHead, FCNHead,
                                       SegformerHead)
from mmseg.structures import SegDataSample

from mmavs.datasets import avs_collate
from mmavs.models.fusion import TPAVI
from mmavs.registry import DATASETS, MODELS
from mmavs.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
MIX = osp.join(ROOT, 'configs', 'mix_mmseg')
SEGFORMER = osp.join(MIX,
                     'segformer-tpavi_mit-b0_1xb4-30e_avsbench-ms3-224x224.py')
DEEPLAB = osp.join(
    MIX, 'deeplabv3plus-tpavi_r50-d8_1xb4-30e_avsbench-ms3-224x224.py')
# what binary AVS masks change in a stock head
BINARY = dict(num_classes=2, out_channels=1, threshold=0.5)
BINARY_LOSS = dict(use_sigmoid=True, avg_non_ignore=True)
# what `mmseg::_base_/models/X.py` names
MMSEG_MODELS = osp.join(
    osp.dirname(mmseg.__file__), '.mim', 'configs', '_base_', 'models')


def binary(head: dict) -> dict:
    head = copy.deepcopy(head)
    head.update(BINARY)
    head['loss_decode'].update(BINARY_LOSS)
    return head


def build(cfg: Config) -> torch.nn.Module:
    """The model without pretrained weights, SyncBN as BN (as the runner
    does without distributed training)."""
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.backbone.pop('init_cfg', None)
    model_cfg.pop('pretrained', None)
    model_cfg.audio_backbone.pop('init_cfg')
    return revert_sync_batchnorm(MODELS.build(model_cfg))


@pytest.mark.parametrize(
    'path, stock', [(SEGFORMER, 'segformer_mit-b0.py'),
                    (DEEPLAB, 'deeplabv3plus_r50-d8.py')],
    ids=['segformer', 'deeplabv3plus'])
def test_child_adds_only_audio_fusion_and_data(path, stock):
    cfg = Config.fromfile(path)
    stock = Config.fromfile(osp.join(MMSEG_MODELS, stock)).model
    model = cfg.model
    assert model.type == 'AudioVisualSegmentor'
    assert model._scope_ == 'mmavs'
    backbone = copy.deepcopy(model.backbone)
    backbone.pop('init_cfg', None)
    assert backbone == stock.backbone
    assert model.decode_head == binary(stock.decode_head)
    if 'auxiliary_head' in stock:
        assert model.auxiliary_head == binary(stock.auxiliary_head)
    assert model.get('pretrained') == stock.get('pretrained')
    added = set(model) - set(stock) - {'_scope_'}
    assert added == {'audio_backbone', 'fusion'}
    # the stock normalisation, in the clip-aware preprocessor
    assert model.data_preprocessor == dict(
        type='AVSDataPreprocessor',
        mean=stock.data_preprocessor.mean,
        std=stock.data_preprocessor.std,
        bgr_to_rgb=stock.data_preprocessor.bgr_to_rgb)
    # the AVS data, runtime and schedule come whole from mmavs' _base_
    data = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'datasets', 'avsbench_ms3.py'))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'val_evaluator'):
        assert cfg[key] == data[key], key
    assert cfg.default_scope == 'mmavs'


def test_segformer_trains_on_an_avs_clip(tiny_avs_root):
    cfg = Config.fromfile(SEGFORMER)
    model = build(cfg)
    assert type(model.backbone) is MixVisionTransformer
    assert type(model.decode_head) is SegformerHead
    assert isinstance(model.fusion, TPAVI)
    assert model.fusion.in_channels == [32, 64, 160, 256]

    # one clip of the tiny tree through the config's own pipeline
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset_cfg.data_root = tiny_avs_root
    dataset = DATASETS.build(dataset_cfg)
    data = model.data_preprocessor(avs_collate([dataset[0]]), True)
    assert data['inputs']['imgs'].shape == (1, 5, 3, 224, 224)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['decode.loss_ce'])
    losses['decode.loss_ce'].backward()
    # the fusion is trained (its zero-initialised output layer first, as in
    # a non-local block); VGGish stays frozen
    grads = [p.grad for p in model.fusion.parameters()]
    assert all(g is not None for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)
    assert all(p.grad is None for p in model.audio_backbone.parameters())

    model.eval()
    with torch.no_grad():
        preds = model(**data, mode='predict')
    assert len(preds) == 5 and isinstance(preds[0], SegDataSample)
    ori_shape = preds[0].metainfo['ori_shape']
    assert preds[0].pred_sem_seg.shape == ori_shape
    assert set(preds[0].pred_sem_seg.data.unique().tolist()) <= {0, 1}


def test_mmseg_scope_would_hide_mmavs_types():
    """Why the child sets ``_scope_='mmavs'``: mmengine marks models from
    ``mmseg::`` bases with ``_scope_='mmseg'``, whose registry has no mmavs
    types."""
    cfg = Config.fromfile(SEGFORMER)
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg._scope_ = 'mmseg'
    with pytest.raises(KeyError, match='AudioVisualSegmentor'):
        MODELS.build(model_cfg)


@pytest.mark.slow
def test_deeplabv3plus_loss_on_random_clip():
    model = build(Config.fromfile(DEEPLAB))
    assert type(model.backbone) is ResNetV1c
    assert type(model.decode_head) is DepthwiseSeparableASPPHead
    assert type(model.auxiliary_head) is FCNHead
    num_frames, size = 2, 64
    samples = []
    for _ in range(num_frames):
        sample = SegDataSample(
            metainfo=dict(img_shape=(size, size), ori_shape=(size, size)))
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, 2, (1, size, size)))
        samples.append(sample)
    batch = dict(
        inputs=dict(
            imgs=[torch.rand(num_frames, 3, size, size) * 255],
            audio=[torch.randn(num_frames, 1, 96, 64)]),
        data_samples=samples)
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    assert {'decode.loss_ce', 'aux.loss_ce'} <= set(losses)
    assert all(torch.isfinite(losses[k]) for k in ('decode.loss_ce',
                                                   'aux.loss_ce'))
