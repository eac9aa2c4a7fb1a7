# Copyright (c) mmavs contributors. All rights reserved.
"""tools/analysis_tools/benchmark.py and benchmark_tpavi.py on tiny sizes."""
import os.path as osp
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config

from mmavs.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = osp.join(ROOT, 'configs', 'tpavi',
                'tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py')


@pytest.fixture(scope='module')
def benchmark(load_tool):
    register_all_modules()
    return load_tool('tools/analysis_tools/benchmark.py')


def test_input_shape_from_config(benchmark):
    cfg = Config.fromfile(TINY)
    assert benchmark.frame_shape(cfg) == (96, 96)
    assert benchmark.frames_per_clip(cfg) == 5  # the dataset's default
    cfg.train_dataloader.dataset.num_frames = 3
    assert benchmark.frames_per_clip(cfg) == 3
    # AVSResize scales are (W, H); mmseg crops are (H, W)
    pipeline = cfg.train_dataloader.dataset.pipeline
    pipeline[-2] = dict(type='AVSResize', scale=(64, 32))
    assert benchmark.frame_shape(cfg) == (32, 64)
    pipeline.append(dict(type='mmseg.RandomCrop', crop_size=(24, 40)))
    assert benchmark.frame_shape(cfg) == (24, 40)
    # a frame sampler decides T
    pipeline.insert(0, dict(type='AVSSampleFrames', num_frames=2))
    assert benchmark.frames_per_clip(cfg) == 2
    cfg.train_dataloader.dataset.pipeline = [dict(type='LoadAVSFrames')]
    with pytest.raises(ValueError, match='--shape H W'):
        benchmark.frame_shape(cfg)


def test_audio_shape_from_pipeline_or_backbone(benchmark):
    cfg = Config.fromfile(TINY)
    no_audio = SimpleNamespace(audio_backbone=None)
    assert benchmark.audio_shape(cfg, no_audio, 5) == (1, 96, 64)
    pipeline = cfg.train_dataloader.dataset.pipeline
    pipeline[3] = dict(
        type='ComputeLogMel',
        window_seconds=0.5,
        num_time_frames=40,
        stereo=True)
    assert benchmark.audio_shape(cfg, no_audio, 2) == (2, 40, 64)
    # no audio front end (e.g. precomputed features): ask the backbone
    del pipeline[3]
    vggish = SimpleNamespace(audio_backbone=SimpleNamespace(in_shape=(8, 4)))
    assert benchmark.audio_shape(cfg, vggish, 5) == (1, 8, 4)
    assert benchmark.audio_shape(cfg, no_audio, 5) == (1, )
    with pytest.raises(ValueError, match='--audio-shape'):
        benchmark.audio_shape(
            cfg, SimpleNamespace(audio_backbone=torch.nn.Identity()), 5)


def test_make_batch(benchmark):
    data = benchmark.make_batch(2, 3, (8, 6), (1, 4, 5), 3, 'cpu')
    assert data['inputs']['imgs'].shape == (2, 3, 3, 8, 6)
    assert data['inputs']['audio'].shape == (2, 3, 1, 4, 5)
    labels = torch.stack([s.gt_sem_seg.data for s in data['data_samples']])
    assert labels.shape == (6, 1, 8, 6)
    assert set(labels.unique().tolist()) == {0, 1, 2}


def test_benchmark_tiny_config_on_cpu(benchmark, capsys):
    table = benchmark.main([
        TINY, '--device', 'cpu', '--batch-size', '1', '--num-frames', '2',
        '--shape', '64', '64', '--warmup', '1', '--repeat', '2', '--iters',
        '1'
    ])
    assert table in capsys.readouterr().out
    row = table.splitlines()[2].strip('| ').split(' | ')
    assert row[0] == 'tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96'
    assert row[1].startswith('CPU')
    # AMP, clips x frames, frame size, audio (1, *VGGish.in_shape)
    assert row[2:6] == ['no', '1 x 2', '64x64', '1x96x64']
    clips_per_s, step_s = (float(row[i].split(' ± ')[0]) for i in (6, 7))
    assert clips_per_s == pytest.approx(1 / step_s, rel=0.5)
    assert float(row[9].split(' ± ')[0]) > 0  # frames/s
    assert float(row[8]) > 0  # training allocates (grads, Adam state)


def test_benchmark_amp_needs_a_gpu(benchmark):
    with pytest.raises(SystemExit):
        benchmark.parse_args([TINY, '--device', 'cpu', '--amp'])


def test_benchmark_tpavi_linear_equals_quadratic(load_tool, capsys):
    tool = load_tool('tools/analysis_tools/benchmark_tpavi.py')
    summary = tool.main([
        '--channels', '16', '--size', '6', '5', '--num-frames', '3',
        '--batch-size', '2', '--audio-channels', '8', '--device', 'cpu',
        '--warmup', '0', '--repeat', '2', '--iters', '1'
    ])
    out = capsys.readouterr().out
    assert 'quadratic / linear' in out and '(90, 90)' in out
    assert set(summary) == {'audio', 'video'}
    for res in summary.values():
        assert res['max_abs_diff'] < 1e-5
        for impl in ('linear', 'quadratic'):
            assert res[impl]['out_err'] < 1e-5
            assert len(res[impl]['times']) == 2
    with pytest.raises(SystemExit, match='differ by'):
        tool.main([
            '--channels', '8', '--size', '2', '2', '--num-frames', '2',
            '--batch-size', '1', '--audio-channels', '4', '--device', 'cpu',
            '--attention', 'video', '--warmup', '0', '--repeat', '1',
            '--tolerance', '0'
        ])
