# Copyright (c) mmavs contributors. All rights reserved.
import mmseg.registry
import pytest
from mmengine.registry import DefaultScope

import mmavs.registry as registry
from mmavs.utils import register_all_modules

register_all_modules()

NAMES = [
    'RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS',
    'OPTIMIZERS', 'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS',
    'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'TASK_UTILS', 'METRICS',
    'EVALUATOR', 'VISUALIZERS', 'VISBACKENDS', 'INFERENCERS'
]


@pytest.mark.parametrize('name', NAMES)
def test_children_of_mmseg_with_locations(name):
    reg = getattr(registry, name)
    assert reg.parent is getattr(mmseg.registry, name)
    assert reg.scope == 'mmavs'
    assert reg._locations, f'{name} has no locations'


def test_mmavs_and_mmseg_types_build_in_mmavs_scope():
    with DefaultScope.overwrite_default_scope('mmavs'):
        assert registry.MODELS.get('TPAVI').__module__.startswith('mmavs')
        head = registry.MODELS.build(
            dict(
                type='mmseg.FPNHead',
                in_channels=[4, 4],
                in_index=[0, 1],
                feature_strides=[4, 8],
                channels=4,
                num_classes=2))
        assert type(head).__module__.startswith('mmseg')
        # unprefixed mmseg names resolve through the parent too
        assert registry.MODELS.get('ResNetV1c') is not None
        assert registry.TRANSFORMS.get('mmseg.PhotoMetricDistortion')
        assert registry.METRICS.get('AVSMetric') is not None
        assert registry.FUNCTIONS.get('avs_collate') is not None
