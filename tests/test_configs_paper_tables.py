# Copyright (c) mmavs contributors. All rights reserved.
"""The configs of Tables 3, 5-8 of the AVSBench paper differ from the
baseline exactly by the row's change, and Table 8 loads what the S4 config
writes."""
import copy
import os.path as osp

import pytest
from mmengine.config import Config

from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
S4 = '1xb4-15e_avsbench-s4-224x224'
MS3 = '1xb4-30e_avsbench-ms3-224x224'
BACKBONES = ('r50', 'pvt-v2-b5')
AVM_AV = dict(type='AVMLoss', mode='av', stages=(0, 1, 2, 3), loss_weight=0.5)
# Table 7 columns: the paper's 1-based encoder stages, TPAVI's 0-based levels
TABLE7 = {
    '1': (0, ),
    '2': (1, ),
    '3': (2, ),
    '4': (3, ),
    '34': (2, 3),
    '234': (1, 2, 3)
}


def load(name: str) -> dict:
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'tpavi', f'{name}.py'))
    return cfg.to_dict()


def split(cfg: dict) -> tuple:
    """(model, everything else but the FPN head snippet)."""
    rest = {k: v for k, v in cfg.items() if k not in ('model', 'fpn_head')}
    return cfg['model'], rest


def assert_variant(name: str, base: str, change) -> dict:
    """``name`` is ``base`` with ``change(model)`` applied to its model and
    the same data, schedule and runtime."""
    model, rest = split(load(name))
    expected, base_rest = split(load(base))
    expected = copy.deepcopy(expected)
    change(expected)
    assert model == expected
    assert rest == base_rest
    return model


def test_pvt_base_is_r50_with_pvt_v2_b5():
    for ds in (S4, MS3):
        pvt = load(f'tpavi_pvt-v2-b5_{ds}')['model']
        r50 = load(f'tpavi_r50_{ds}')['model']
        assert pvt['backbone'] == dict(
            type='PyramidVisionTransformerV2',
            arch='b5',
            init_cfg=dict(
                type='Pretrained',
                checkpoint='https://github.com/whai362/PVT/releases/'
                'download/v2/pvt_v2_b5.pth'))
        assert pvt['neck']['in_channels'] == [64, 128, 320, 512]
        for key in set(pvt) - {'backbone', 'neck'}:
            assert pvt[key] == r50[key], key


@pytest.mark.parametrize('bb', BACKBONES)
def test_table5_fusion(bb):
    for ds in (S4, MS3):

        def no_audio(m):
            m.update(audio_backbone=None, fusion=None)

        def av_add(m):
            m['fusion'] = dict(type='AVAdd')

        assert_variant(f'nofusion_{bb}_{ds}', f'tpavi_{bb}_{ds}', no_audio)
        assert_variant(f'avadd_{bb}_{ds}', f'tpavi_{bb}_{ds}', av_add)
    # AVAdd's defaults: the 128-d VGGish audio added to the four 256-channel
    # ASPP levels
    fusion = MODELS.build(dict(type='AVAdd'))
    assert fusion.stages == (0, 1, 2, 3)
    assert [(lin.in_features, lin.out_features)
            for lin in fusion.align_channels] == [(128, 256)] * 4
    # Table 5's MS3 TPAVI row is Table 6's BCE-only row
    assert 'av_loss' not in load(f'tpavi_{bb}_{MS3}')['model']


@pytest.mark.parametrize('bb', BACKBONES)
def test_table6_avm(bb):
    assert_variant(f'tpavi-avm-av_{bb}_{MS3}', f'tpavi_{bb}_{MS3}',
                   lambda m: m.update(av_loss=AVM_AV))
    assert_variant(f'tpavi-avm-vv_{bb}_{MS3}', f'tpavi_{bb}_{MS3}',
                   lambda m: m.update(av_loss=dict(AVM_AV, mode='vv')))


@pytest.mark.parametrize('bb', BACKBONES)
@pytest.mark.parametrize('column', TABLE7)
def test_table7_stages(bb, column):
    stages = TABLE7[column]

    def s4(m):
        m['fusion']['stages'] = stages

    def ms3(m):
        m['fusion']['stages'] = m['av_loss']['stages'] = stages

    model = assert_variant(f'tpavi-stage{column}_{bb}_{S4}',
                           f'tpavi_{bb}_{S4}', s4)
    assert 'av_loss' not in model  # lambda = 0 on S4
    assert_variant(f'tpavi-stage{column}-avm-av_{bb}_{MS3}',
                   f'tpavi-avm-av_{bb}_{MS3}', ms3)


@pytest.mark.parametrize('bb', BACKBONES)
@pytest.mark.parametrize('method, s4_method', [('nofusion', 'nofusion'),
                                               ('tpavi-avm-av', 'tpavi')])
def test_table8_from_s4(bb, method, s4_method):
    name = f'{method}_{bb}_s4-pre_{MS3}'
    cfg = load(name)
    s4_name = f'{s4_method}_{bb}_{S4}'
    s4 = load(s4_name)
    # the last checkpoint the S4 config writes by default
    assert cfg.pop('load_from') == f'work_dirs/{s4_name}/epoch_15.pth'
    assert s4['train_cfg']['max_epochs'] == 15
    assert s4['default_hooks']['checkpoint']['interval'] == 1
    scratch = load(f'{method}_{bb}_{MS3}')
    scratch.pop('load_from')
    assert cfg == scratch
    # same network: the S4 checkpoint fits (L_AVM has no weights)
    model = dict(cfg['model'], av_loss=None)
    assert model == dict(s4['model'], av_loss=None)


@pytest.mark.parametrize('bb', BACKBONES)
@pytest.mark.parametrize('ds', [S4, MS3])
def test_fpn_head(bb, ds):
    model = load(f'tpavi-fpnhead_{bb}_{ds}')['model']
    head = model['decode_head']
    assert head['type'] == 'mmseg.FPNHead'
    assert head['in_channels'] == [256] * 4
    assert head['feature_strides'] == [4, 8, 16, 32]
    assert (head['num_classes'], head['out_channels']) == (2, 1)
    assert head['loss_decode']['use_sigmoid']
    assert '_delete_' not in head and 'mid_channels' not in head
    assert_variant(f'tpavi-fpnhead_{bb}_{ds}', f'tpavi_{bb}_{ds}',
                   lambda m: m.update(decode_head=head))
