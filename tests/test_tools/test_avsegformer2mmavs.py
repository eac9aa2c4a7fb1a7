# Copyright (c) mmavs contributors. All rights reserved.
"""tools/model_converters/avsegformer2mmavs.py on checkpoints in the
released AVSegFormer key layout (PVT-v2-b5 and ResNet-50, S4/MS3 and AVSS
heads), generated from the test re-implementation of the release."""
import json
import os.path as osp
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config

from mmavs.registry import MODELS
from mmavs.utils import load_local_checkpoint, register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tests', 'test_models', 'test_segmentors'))
from avsegformer_reference import (AVSegFormerRef, B2ResNet50, PVTv2,  # noqa
                                   randomise)

TOOL = osp.join(ROOT, 'tools', 'model_converters', 'avsegformer2mmavs.py')
CONFIGS = osp.join(ROOT, 'configs', 'avsegformer')
B5 = dict(
    dims=(64, 128, 320, 512),
    depths=(3, 6, 40, 3),
    heads=(1, 2, 5, 8),
    mlp_ratios=(4, 4, 4, 4))
CASES = {
    'pvt-v2-b5': (lambda: PVTv2(**B5), [64, 128, 320, 512]),
    'r50': (B2ResNet50, [256, 512, 1024, 2048]),
}


def released_state_dict(backbone: str, num_classes: int) -> dict:
    """The release's key layout, each tensor a broadcast of its own index
    (tiny on disk, and a wrong mapping shows as a wrong value)."""
    make_backbone, channels = CASES[backbone]
    with torch.device('meta'):
        ref = AVSegFormerRef(make_backbone(), channels, num_classes)
    return {
        k: torch.full((), i, dtype=v.dtype).expand(v.shape)
        for i, (k, v) in enumerate(ref.state_dict().items())
    }


def build_model(config: str):
    register_all_modules()
    cfg = Config.fromfile(osp.join(CONFIGS, config)).model
    cfg.backbone.pop('init_cfg', None)
    cfg.audio_backbone.pop('init_cfg', None)
    with torch.device('meta'):
        return MODELS.build(cfg)


@pytest.fixture
def convert(tmp_path, load_tool, monkeypatch, capsys):
    """Run the tool in-process on a state dict: (result, output path)."""
    tool = load_tool('tools/model_converters/avsegformer2mmavs.py')

    def run(state_dict):
        src, dst = tmp_path / 'best.pth', tmp_path / 'mmavs.pth'
        torch.save(state_dict, src)
        monkeypatch.setattr(sys, 'argv', [TOOL, str(src), str(dst)])
        error = ''
        try:
            tool.main()
        except SystemExit as e:  # the tool's clean error
            error = str(e.code)
        out = capsys.readouterr()
        return SimpleNamespace(
            returncode=int(bool(error)),
            stdout=out.out,
            stderr=out.err + error), dst

    return run


@pytest.mark.parametrize('backbone,num_classes,config', [
    ('pvt-v2-b5', 1, 'avsegformer_pvt-v2-b5_1xb2-30e_avsbench-s4-512x512.py'),
    ('r50', 1, 'avsegformer_r50_1xb2-60e_avsbench-ms3-224x224.py'),
    ('pvt-v2-b5', 71, 'avsegformer_pvt-v2-b5_1xb1-30e_avss-224x224.py'),
    ('r50', 71, 'avsegformer_r50_1xb1-30e_avss-224x224.py'),
])
def test_released_checkpoints_load_strictly(convert, backbone, num_classes,
                                            config):
    official = released_state_dict(backbone, num_classes)
    out, dst = convert(official)
    assert out.returncode == 0, out.stderr
    ckpt = load_local_checkpoint(str(dst))
    state = ckpt['state_dict']
    build_model(config).load_state_dict(state, strict=True, assign=True)

    unused = ('head.fpn.', 'head.attn_fc.')
    if backbone == 'r50':
        unused += ('backbone.layer3_2.', 'backbone.layer4_2.')
    dropped = [k for k in official if k.startswith(unused)]
    assert sorted(ckpt['meta']['dropped_keys']) == sorted(dropped)
    assert ckpt['meta']['num_classes'] == num_classes
    for key in dropped:  # every unused key is named
        assert key in out.stdout
    assert len(state) == len(official) - len(dropped)
    # a few mappings, checked by value
    pairs = {
        'vggish.embeddings.4.weight': 'audio_backbone.embeddings.4.weight',
        'audio_proj.bias': 'decode_head.audio_proj.bias',
        'head.in_proj.2.1.weight': 'decode_head.in_proj.2.gn.weight',
        'head.mlp.layers.1.weight': 'decode_head.query_mlp.2.weight',
        'head.fc.4.weight': 'decode_head.conv_seg.weight',
        'head.fusion_block.kv_proj.weight': 'decode_head.mixer.kv_proj.weight',
        'head.transformer.encoder.layers.5.self_attn.sampling_offsets.bias':
        'decode_head.encoder.layers.5.self_attn.sampling_offsets.bias',
        'head.level_embed': 'decode_head.level_embed',
    }
    if backbone == 'r50':
        pairs['backbone.layer4_1.2.bn3.running_var'] = \
            'backbone.layer4.2.bn3.running_var'
    for old, new in pairs.items():
        assert torch.equal(state[new], official[old]), old


def test_bad_checkpoint_names_file_and_keys(convert):
    official = released_state_dict('r50', 1)
    official['head.extra.weight'] = torch.zeros(1)
    out, dst = convert(official)
    assert out.returncode != 0 and not dst.exists()
    assert 'best.pth' in out.stderr and 'head.extra.weight' in out.stderr


@pytest.mark.slow
def test_converted_release_runs_with_tools_test(tmp_path, convert,
                                                tiny_avs_root):
    """A converted release checkpoint (the reduced PVT-v2 of the
    equivalence test, random weights) goes through tools/test.py."""
    torch.manual_seed(0)
    dims = (32, 64, 160, 256)
    ref = AVSegFormerRef(
        PVTv2(dims, (1, 1, 1, 1), (1, 2, 5, 8), (8, 8, 4, 4)), list(dims))
    randomise(ref, torch.Generator().manual_seed(0))
    out, dst = convert(ref.state_dict())
    assert out.returncode == 0, out.stderr
    config = osp.join(CONFIGS,
                      'avsegformer_pvt-v2-b5_1xb2-30e_avsbench-s4-224x224.py')
    options = [
        f'test_dataloader.dataset.data_root={tiny_avs_root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'model.backbone.arch=b0', 'model.backbone.depths=[1,1,1,1]',
        'model.backbone.mlp_ratios=[8,8,4,4]',
        f'model.decode_head.in_channels={list(dims)}'.replace(' ', '')
    ]
    proc = subprocess.run([
        sys.executable, 'tools/test.py', config,
        str(dst), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', *options
    ],
                          capture_output=True,
                          text=True,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.load(open(tmp_path / 'work' / 'test_metrics.json'))
    assert all(0 <= metrics[k] <= 1 for k in ('mJ', 'mF', 'fIoU'))
