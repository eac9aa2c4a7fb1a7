# Copyright (c) mmavs contributors. All rights reserved.
"""The AVSBench-Semantics TPAVI configs carry the released code's settings
(``avs_scripts/avss``: config.py, train.sh, color_dataloader.py)."""
import os.path as osp

import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
NAMES = ('tpavi-avm-av_r50_1xb4-60e_avss-224x224.py',
         'tpavi-avm-av_pvt-v2-b5_1xb4-60e_avss-224x224.py')


@pytest.mark.parametrize('name', NAMES)
def test_released_settings(name):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'tpavi', name))
    # train.sh: Adam(lr 1e-4) (its --wt_dec is parsed, never used), batch 4,
    # 60 epochs, validation from (0-based) epoch 16, best mIoU kept
    assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-4)
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.test_dataloader.batch_size == 4
    assert cfg.train_cfg.max_epochs == 60 and cfg.train_cfg.val_begin == 17
    assert cfg.default_hooks.checkpoint.save_best == 'J'
    model = cfg.model
    assert model.fusion.stages == (0, 1, 2, 3)
    assert model.fusion.temporal_window == 5
    assert model.fusion.audio_proj_bias is False
    assert not model.fusion.video_attention
    head = model.decode_head
    assert head.num_classes == head.out_channels == 71
    assert not head.loss_decode.use_sigmoid and head.loss_decode.avg_non_ignore
    assert model.av_loss == dict(
        type='AVMLoss',
        mode='av',
        stages=(0, 1, 2, 3),
        loss_weight=0.5,
        mask_source='foreground',
        reduction='labelled_mean')
    assert model.audio_backbone.type == 'VGGish'
    assert model.audio_backbone.frozen
    assert model.data_preprocessor.mean == [123.675, 116.28, 103.53]
    assert model.data_preprocessor.std == [58.395, 57.12, 57.375]
    if 'pvt' in name:
        assert model.backbone.arch == 'b5'
        assert model.neck.in_channels == [64, 128, 320, 512]
    else:
        assert model.backbone.depth == 50
        assert model.neck.in_channels == [256, 512, 1024, 2048]
    train = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    test = {t.type: t for t in cfg.test_dataloader.dataset.pipeline}
    assert train['AVSResizeCenterCrop'].size == 224
    assert test['AVSResize'].scale == (224, 224)
    assert test['AVSResize'].backend == 'pillow'
    assert test['AVSResize'].update_ori_shape
    for steps in (train, test):
        assert steps['AVSPadClip'].num_frames == 10
        assert steps['ComputeVGGishExamples'].num_examples is None
        assert 'AVSRandomFlip' not in steps and 'AVSSampleFrames' not in steps
    assert cfg.test_dataloader.dataset.split == 'test'
    assert cfg.test_evaluator == dict(
        type='AVSSMetric', score_padded_frames=True)
