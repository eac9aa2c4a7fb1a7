# Copyright (c) mmavs contributors. All rights reserved.
"""The released CAVP configs carry the released network and recipe; the
cavp-enc configs (the encoder-fusion reading of the paper text) carry the
paper's hyper-parameters (appendix B.1) and each ablation config differs
from the cavp-enc one by its switch only."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CAVP = 'cavp-enc_r50-d8_1xb16-80e_avss-512x512.py'
RELEASED = 'cavp_r50-d16_1xb16-80e_{}-224x224.py'


def load(name):
    return Config.fromfile(osp.join(ROOT, 'configs', 'cavp', name))


def test_paper_hyper_parameters():
    cfg = load(CAVP)
    assert cfg.optim_wrapper.optimizer == dict(
        type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4)
    poly = cfg.param_scheduler[0]
    assert poly.type == 'PolyLR' and poly.power == 0.9 and poly.end == 80
    assert cfg.train_cfg.max_epochs == 80
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.test_dataloader.batch_size == 1
    model = cfg.model
    assert model.backbone.type == 'mmseg.ResNetV1c'
    assert model.backbone.depth == 50
    assert model.backbone.strides == (1, 2, 1, 1)  # output stride 8
    assert model.decode_head.type == 'mmseg.DepthwiseSeparableASPPHead'
    assert model.decode_head.num_classes == 71
    assert model.fusion.type == 'AVCrossAttention'
    assert model.fusion.activation == 'sigmoid'
    assert model.av_loss.type == 'CAVPLoss'
    assert model.av_loss.temperature == 0.1
    assert model.av_loss.pos_fraction == 0.5
    assert model.av_loss.memory_bank == dict(
        size=16, replace_fraction=0.5, start_epoch=1)
    assert model.audio_backbone.type == 'ResNetAudio'


@pytest.mark.parametrize('name, key, value', [
    ('cavp-enc-softmax', 'fusion.activation', 'softmax'),
    ('cavp-enc-minmax', 'fusion.activation', 'minmax'),
    ('cavp-enc-channel', 'fusion.activation', 'channel'),
    ('cavp-enc-pos10', 'av_loss.pos_fraction', 0.1),
    ('cavp-enc-pos90', 'av_loss.pos_fraction', 0.9),
    ('ca-supcon', 'av_loss.mode', 'supcon'),
    ('ca', 'av_loss', None),
    ('ca-tpavi', 'fusion.type', 'TPAVI'),
])
def test_ablation_switch_only(name, key, value):
    base = load(CAVP).model.to_dict()
    cfg = load(CAVP.replace('cavp-enc', name, 1)).model.to_dict()

    def pop(model, path):
        *parents, last = path.split('.')
        for p in parents:
            model = model[p]
        return model.pop(last, None)

    assert pop(cfg, key) == value
    pop(base, key)
    if name == 'ca-supcon':  # SupCon does not re-pair: no audio bank
        assert pop(cfg, 'av_loss.memory_bank') is None
        pop(base, 'av_loss.memory_bank')
    if name == 'ca-tpavi':
        assert cfg.pop('av_loss') is None
        base.pop('av_loss')
        cfg['fusion'], base['fusion'] = {}, {}
    assert cfg == base


@pytest.mark.parametrize('subset', ['ss', 'ms', 'msmi'])
@pytest.mark.parametrize('channels', ['mono', 'stereo'])
def test_vpo_configs(subset, channels):
    cfg = load(
        f'cavp-enc_r50-d8_1xb16-80e_vpo-{subset}-{channels}-512x512.py')
    # the AVSS CAVP model (B.1 recipe, audio bank) with 22 classes (21 VPO
    # classes and the background) and a 2-channel log-mel for stereo
    expected = load(CAVP).model.to_dict()
    expected['decode_head']['num_classes'] = 22
    expected['audio_backbone']['in_channels'] = 1 + (channels == 'stereo')
    assert cfg.model.to_dict() == expected
    assert cfg.optim_wrapper.optimizer.lr == 1e-3
    assert cfg.train_dataloader.batch_size == 16
    for loader in (cfg.train_dataloader, cfg.test_dataloader):
        dataset = loader.dataset
        assert dataset.type == 'VPODataset'
        assert dataset.data_root == f'data/vpo/{subset}'
        log_mel = next(t for t in dataset.pipeline
                       if t.type == 'ComputeLogMel')
        assert log_mel.stereo == (channels == 'stereo')
        assert log_mel.window_seconds == 3.0
    # CAVP tests at the original size (no resize in the test pipeline)
    assert not any(t.type == 'AVSResize'
                   for t in cfg.test_dataloader.dataset.pipeline)


def log_mel(loader):
    t = next(t for t in loader.dataset.pipeline if t.type == 'ComputeLogMel')
    assert t.num_time_frames == 96
    return t.crop_seconds, t.num_chunks


def test_released_avss_224_network_and_recipe():
    cfg = load(RELEASED.format('avss'))
    model = cfg.model
    assert model.backbone.type == 'mmseg.ResNetV1c'
    assert (model.backbone.depth, model.backbone.stem_channels) == (50, 128)
    assert model.backbone.strides == (1, 2, 2, 1)  # output stride 16
    assert model.backbone.dilations == (1, 1, 1, 2)
    assert model.backbone.multi_grid == (2, 4, 8)  # layer4 dilations
    assert model.audio_backbone.type == 'VGGish'
    assert model.audio_backbone.fc_channels == (4096, 4096, 304)
    assert not model.audio_backbone.frozen
    head = model.decode_head
    assert head.type == 'AudioFusionHead'
    assert head.head.type == 'CAVPASPPHead'
    assert head.head.dilations == (6, 12, 18)
    assert head.head.num_classes == 71 and head.head.dropout_ratio == 0
    assert head.fusion.type == 'CAVPFusion'
    assert head.fusion.in_channels == head.head.channels + \
        head.head.c1_channels == 304
    assert 'fusion' not in model
    assert model.av_loss.type == 'CAVPContrastLoss'
    assert (model.av_loss.stage, model.av_loss.max_views) == (0, 512)
    # README: batch 16, lr 1e-3, weight decay 1e-4, 80 epochs
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.optim_wrapper.optimizer == dict(
        type='SGD', lr=1e-3, momentum=0.9, weight_decay=1e-4)
    assert cfg.optim_wrapper.paramwise_cfg.custom_keys == {
        'decode_head.head': dict(lr_mult=10.)
    }
    assert cfg.train_cfg.max_epochs == 80
    assert cfg.test_evaluator == dict(type='AVSSMetric', miou_average='all')
    for loader in (cfg.train_dataloader, cfg.test_dataloader):
        assert log_mel(loader) == (10.0, 10)  # clips padded to 10 frames
    resize = [t for t in cfg.test_dataloader.dataset.pipeline
              if t.type == 'AVSResize']
    assert resize == [
        dict(type='AVSResize', scale=(224, 224), interpolation='bicubic',
             update_ori_shape=True)
    ]


@pytest.mark.parametrize('subset', ['s4', 'ms3'])
def test_released_avsbench_object_configs(subset):
    cfg = load(RELEASED.format(f'avsbench-{subset}'))
    expected = load(RELEASED.format('avss')).model.to_dict()
    expected['decode_head']['head']['num_classes'] = 2
    expected['av_loss'].update(memory_bank=None, loss_weight=0.1)
    assert cfg.model.to_dict() == expected
    for loader in (cfg.train_dataloader, cfg.test_dataloader):
        assert loader.dataset.type == 'AVSBenchObjectDataset'
        assert loader.dataset.subset == subset
    # frames scored at their own (224x224) size
    assert not any(t.type == 'AVSResize'
                   for t in cfg.test_dataloader.dataset.pipeline)
    assert cfg.test_evaluator == dict(
        type='AVSSMetric', miou_average='all', object_jf=True)
    # official chunks: 5 (2 s) at test; 10 (1 s) when training on MS3
    assert log_mel(cfg.test_dataloader) == (10.0, 5)
    assert log_mel(cfg.train_dataloader) == (10.0, 5 if subset == 's4' else 10)


def test_every_cavp_config_is_the_released_network():
    """A config named cavp_* is the released network; the paper-text
    reading is named cavp-enc* (its ablations ca*)."""
    names = [
        osp.basename(p)
        for p in glob.glob(osp.join(ROOT, 'configs', 'cavp', '*.py'))
    ]
    released = [n for n in names if n.startswith('cavp_')]
    assert len(released) == 10
    for name in released:
        model = load(name).model
        assert model.decode_head.type == 'AudioFusionHead', name
        assert model.decode_head.head.type == 'CAVPASPPHead', name
        assert model.decode_head.fusion.type == 'CAVPFusion', name
    for name in set(names) - set(released):
        assert name.startswith(('cavp-enc', 'ca_', 'ca-')), name
        assert load(name).model.decode_head.type != 'AudioFusionHead', name


@pytest.mark.parametrize('subset', ['ss', 'ms', 'msmi'])
@pytest.mark.parametrize('channels', ['mono', 'stereo'])
def test_released_vpo_configs(subset, channels):
    cfg = load(f'cavp_r101-d8_2xb8-80e_vpo-{subset}-{channels}-512x512.py')
    # the released network with VPO's settings (config/config_vpo_*.py)
    expected = load(RELEASED.format('avss')).model.to_dict()
    expected['backbone'].update(
        depth=101, strides=(1, 2, 1, 1), dilations=(1, 1, 2, 2),
        contract_dilation=True)
    expected['audio_backbone'] = dict(
        type='ResNetAudio', depth=18, in_channels=1 + (channels == 'stereo'),
        out_channels=304,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18'))
    expected['decode_head']['head']['num_classes'] = 22
    assert cfg.model.to_dict() == expected
    # README: 2 GPUs x batch 8, --lr 5e-4 (x 2 GPUs in main_vpo_*.py),
    # weight decay 5e-4
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.optim_wrapper.optimizer == dict(
        type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4)
    log_mel = next(t for t in cfg.train_dataloader.dataset.pipeline
                   if t.type == 'ComputeLogMel')
    assert (log_mel.window_seconds, log_mel.num_time_frames) == (3.0, 300)
    assert log_mel.stereo == (channels == 'stereo')
