# Copyright (c) mmavs contributors. All rights reserved.
"""``tools/train.py --amp``: every config switches to AmpOptimWrapper, and the
mmavs modules train and predict under mixed precision (bfloat16 autocast, what
mmengine's AMP uses on CPU; float16 on CUDA is not testable here)."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.optim.optimizer import amp_optimizer_wrapper
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.registry import METRICS, MODELS
from mmavs.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                         recursive=True)
    if osp.join('configs', '_base_') not in p)
TINY = osp.join(ROOT, 'configs', 'tpavi',
                'tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py')


@pytest.fixture(scope='module')
def enable_amp(load_tool):
    return load_tool('tools/train.py').enable_amp


@pytest.mark.parametrize(
    'config', CONFIGS, ids=[osp.relpath(p, ROOT) for p in CONFIGS])
def test_amp_flag_switches_optim_wrapper(enable_amp, config):
    cfg = Config.fromfile(config)
    enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'


def test_amp_flag_rejects_other_wrappers(enable_amp):
    cfg = Config(dict(optim_wrapper=dict(type='AmpOptimWrapper', dtype='x')))
    enable_amp(cfg)  # already AMP: left as it is
    assert cfg.optim_wrapper == dict(type='AmpOptimWrapper', dtype='x')
    with pytest.raises(ValueError, match='OptimWrapper'):
        enable_amp(Config(dict(optim_wrapper=dict(type='Other'))))


def make_batch(num_clips=1, num_frames=2, size=64):
    samples = []
    for i in range(num_clips * num_frames):
        sample = SegDataSample(
            metainfo=dict(
                img_shape=(size, size),
                ori_shape=(size, size),
                pad_shape=(size, size),
                clip_name=f'clip{i // num_frames}',
                frame_index=i % num_frames,
                num_frames=num_frames,
                img_path=f'clip{i // num_frames}_{i % num_frames}.png'))
        mask = torch.zeros(1, size, size, dtype=torch.long)
        mask[:, size // 4:size // 2, size // 4:] = 1
        sample.gt_sem_seg = PixelData(data=mask)
        samples.append(sample)
    imgs = torch.rand(num_clips, num_frames, 3, size, size) * 255
    audio = torch.randn(num_clips, num_frames, 1, 96, 64)
    return dict(inputs=dict(imgs=imgs, audio=audio), data_samples=samples)


@pytest.fixture(scope='module')
def tiny_model():
    register_all_modules()
    torch.manual_seed(0)
    return MODELS.build(Config.fromfile(TINY).model)


def test_amp_train_step_tiny_model(tiny_model, monkeypatch):
    # mmengine refuses to build AmpOptimWrapper without a GPU; past that
    # check, its GradScaler disables itself without CUDA and its autocast
    # uses bfloat16 on CPU, so the rest of the step runs as under --amp
    monkeypatch.setattr(amp_optimizer_wrapper, 'is_cuda_available',
                        lambda: True)
    model = tiny_model.train()
    wrapper = build_optim_wrapper(
        model,
        dict(type='AmpOptimWrapper', optimizer=dict(type='Adam', lr=1e-3)))
    with wrapper.optim_context(model):
        assert torch.is_autocast_enabled('cpu')
        assert torch.get_autocast_dtype('cpu') == torch.bfloat16

    dtypes = {}

    def record(name):

        def hook(module, args, out) -> None:
            first = out[0] if isinstance(out, (tuple, list)) else out
            dtypes.setdefault(name, first.dtype)

        return hook

    hooks = [
        getattr(model, name).register_forward_hook(record(name))
        for name in ('neck', 'audio_backbone', 'fusion', 'decode_head')
    ]
    before = {k: v.clone() for k, v in model.state_dict().items()}
    losses = model.train_step(make_batch(), wrapper)
    for hook in hooks:
        hook.remove()
    # the convolutions and TPAVI's matmuls ran in bfloat16 ...
    assert set(dtypes.values()) == {torch.bfloat16}, dtypes
    # ... the losses are float32 and finite
    assert losses['loss'].dtype == torch.float32
    assert all(torch.isfinite(v).all() for v in losses.values())
    changed = [
        k for k, v in model.state_dict().items()
        if v.is_floating_point() and not torch.equal(v, before[k])
    ]
    assert any(k.startswith('fusion.') for k in changed)
    assert any(k.startswith('decode_head.') for k in changed)
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_amp_inference_and_metric(tiny_model):
    model = tiny_model.eval()
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        outputs = model.test_step(make_batch(num_clips=2))
    # the segmentor hands mmseg float32 logits also under autocast
    assert outputs[0].seg_logits.data.dtype == torch.float32
    metric = METRICS.build(dict(type='AVSMetric'))
    metric.process({}, [o.to_dict() for o in outputs])
    scores = metric.compute_metrics(metric.results)
    assert set(scores) >= {'mJ', 'mF', 'fIoU'}
    assert all(0 <= scores[k] <= 1 for k in ('mJ', 'mF', 'fIoU'))
