# Copyright (c) mmavs contributors. All rights reserved.
"""tools/test.py runs a released-network CAVP VPO config (MSMI, stereo) on a
tiny VPO set built by the VPO builder."""
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from mmavs.datasets.vpo_build import build_vpo
from mmavs.registry import MODELS
from mmavs.testing.tiny_vpo import (CLASS_MAP, make_class_sounds,
                                    make_tiny_coco, write_class_map)
from mmavs.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# the released network, narrower; 0.5 s of audio (the tiny set's length)
OVERRIDES = """
_base_ = {base!r}
model = dict(
    backbone=dict(stem_channels=16, base_channels=4, init_cfg=None),
    audio_backbone=dict(out_channels=24, init_cfg=None),
    decode_head=dict(
        num_classes={num_classes},  # the tiny set's classes
        head=dict(in_channels=128, channels=16, c1_in_channels=16,
                  c1_channels=8),
        fusion=dict(in_channels=24, audio_channels=24, embed_dims=24,
                    projector_channels=12)))
test_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSAnnotations', binary=False),
    dict(type='LoadAudio', expected_sample_rate=16000),
    dict(type='ComputeLogMel', window_seconds=0.5, num_time_frames=None,
         stereo={stereo}),
    dict(type='PackAVSInputs'),
]))
"""


@pytest.fixture(scope='module')
def vpo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('vpo'))
    ann_file, image_dir = make_tiny_coco(root)
    audio_csv, audio_dir, _ = make_class_sounds(root)
    build_vpo(osp.join(root, 'msmi'),
              'msmi',
              ann_file=ann_file,
              image_dir=image_dir,
              audio_csv=audio_csv,
              audio_dir=audio_dir,
              class_map=write_class_map(osp.join(root, 'map.yaml')),
              duration=0.5,
              test_ratio=0.5,
              progress=False,
              log=lambda msg: None)
    return osp.join(root, 'msmi')


@pytest.mark.slow
# mono differs by the audio channels only (tests/test_configs_cavp.py)
@pytest.mark.parametrize('channels', ['stereo'])
def test_tools_test_runs_the_released_vpo_config(vpo_root, channels, tmp_path):
    base = osp.join(ROOT, 'configs', 'cavp',
                    f'cavp_r101-d8_2xb8-80e_vpo-msmi-{channels}-512x512.py')
    config = tmp_path / 'tiny.py'
    config.write_text(
        OVERRIDES.format(base=base,
                         stereo=channels == 'stereo',
                         num_classes=len(CLASS_MAP) + 1))
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(config)).model)
    assert model.audio_backbone.in_channels == 1 + (channels == 'stereo')
    ckpt = tmp_path / 'ckpt.pth'
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    options = [
        f'test_dataloader.dataset.data_root={vpo_root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ]
    proc = subprocess.run([
        sys.executable, 'tools/test.py',
        str(config),
        str(ckpt), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options', *options
    ],
                          capture_output=True,
                          text=True,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(tmp_path / 'test' / 'test_metrics.json') as f:
        metrics = json.load(f)
    assert {'mIoU', 'mFscore', 'mFDR', 'J', 'F'} <= set(metrics)
    assert all(0 <= metrics[k] <= 1 for k in ('mIoU', 'mFscore', 'J', 'F'))
