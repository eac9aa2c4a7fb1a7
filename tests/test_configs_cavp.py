# Copyright (c) mmavs contributors. All rights reserved.
"""The CAVP configs carry the paper's hyper-parameters (appendix B.1) and
each ablation config differs from the CAVP one by its switch only."""
import os.path as osp

import pytest
from mmengine.config import Config

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CAVP = 'cavp_r50-d8_1xb16-80e_avss-512x512.py'


def load(name):
    return Config.fromfile(osp.join(ROOT, 'configs', 'cavp', name))


@pytest.mark.parametrize('name', [CAVP, CAVP.replace('512x512', '224x224')])
def test_paper_hyper_parameters(name):
    cfg = load(name)
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
    ('cavp-softmax', 'fusion.activation', 'softmax'),
    ('cavp-minmax', 'fusion.activation', 'minmax'),
    ('cavp-channel', 'fusion.activation', 'channel'),
    ('cavp-pos10', 'av_loss.pos_fraction', 0.1),
    ('cavp-pos90', 'av_loss.pos_fraction', 0.9),
    ('ca-supcon', 'av_loss.mode', 'supcon'),
    ('ca', 'av_loss', None),
    ('ca-tpavi', 'fusion.type', 'TPAVI'),
])
def test_ablation_switch_only(name, key, value):
    base = load(CAVP).model.to_dict()
    cfg = load(CAVP.replace('cavp', name, 1)).model.to_dict()

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
    cfg = load(f'cavp_r50-d8_1xb16-80e_vpo-{subset}-{channels}-512x512.py')
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
