# Copyright (c) mmavs contributors. All rights reserved.
"""Measure training and inference speed and peak memory of a config's model.

No dataset is read: the model gets random clips of the config's frame size,
frames per clip and audio shape (or those given on the command line). A
training step is the full ``model.train_step`` (preprocessing, forward,
backward, optimizer step) with the config's ``optim_wrapper``; inference is
``model.test_step`` under ``torch.no_grad``. Weights are random (no
pretrained checkpoint is loaded), which does not change the cost.
"""
import argparse
import importlib.util
import inspect
import os.path as osp
from contextlib import nullcontext
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.runner.amp import autocast
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.registry import DATASETS, MODELS, TRANSFORMS
from mmavs.utils import register_all_modules
from mmavs.utils.profiling import (PeakMemory, markdown_table, mean_std,
                                   time_runs)

# transforms that turn a waveform into the model's audio input
AUDIO_FRONT_ENDS = ('ComputeVGGishExamples', 'ComputeLogMel')
WAVE_SECONDS = 10
TRAIN_SCRIPT = osp.join(osp.dirname(osp.abspath(__file__)), '..', 'train.py')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='model config file')
    parser.add_argument(
        '--device',
        default='cuda' if torch.cuda.is_available() else 'cpu',
        help='cpu or cuda[:i]; defaults to cuda when available')
    parser.add_argument(
        '--batch-size',
        type=int,
        help='clips per batch; defaults to train_dataloader.batch_size')
    parser.add_argument(
        '--num-frames', type=int, help='frames per clip T; defaults to '
        "the train dataset's num_frames")
    parser.add_argument(
        '--shape',
        type=int,
        nargs=2,
        metavar=('H', 'W'),
        help='frame size; defaults to the train pipeline\'s crop or resize')
    parser.add_argument(
        '--audio-shape',
        type=int,
        nargs='+',
        help='shape of one frame\'s audio input, e.g. 1 96 64; defaults to '
        'what the train pipeline\'s audio transform gives')
    parser.add_argument('--warmup', type=int, default=2, help='untimed steps')
    parser.add_argument(
        '--repeat', type=int, default=3, help='timed runs (mean ± std)')
    parser.add_argument(
        '--iters', type=int, default=5, help='steps per timed run')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed precision as tools/train.py --amp (AmpOptimWrapper, '
        'which mmengine allows on GPUs only)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, as in tools/train.py')
    args = parser.parse_args(argv)
    if args.amp and torch.device(args.device).type == 'cpu':
        parser.error('--amp needs a GPU: mmengine\'s AmpOptimWrapper '
                     'refuses to run on CPU')
    return args


def load_enable_amp() -> Callable[[Config], None]:
    """``enable_amp`` of tools/train.py, so that --amp means the same."""
    spec = importlib.util.spec_from_file_location('mmavs_train_tool',
                                                  TRAIN_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.enable_amp


def frame_shape(cfg: Config) -> Tuple[int, int]:
    """(H, W) of the frames the train pipeline outputs."""
    for t in reversed(cfg.train_dataloader.dataset.get('pipeline', [])):
        if 'crop_size' in t:
            return tuple(t['crop_size'])  # mmseg crops are (H, W)
        if t['type'].endswith('Resize') and 'scale' in t and not t.get(
                'keep_ratio', False):
            return tuple(t['scale'][::-1])  # resizes are (W, H)
    raise ValueError(f'{cfg.filename}: no fixed crop or resize in the train '
                     'pipeline; pass --shape H W')


def frames_per_clip(cfg: Config) -> int:
    """T of a training clip: a frame sampler's ``num_frames`` in the train
    pipeline, else the train dataset's ``num_frames`` or its default."""
    dataset = cfg.train_dataloader.dataset
    for t in reversed(dataset.get('pipeline', [])):
        if 'num_frames' in t:
            return t['num_frames']
    if 'num_frames' in dataset:
        return dataset.num_frames
    param = inspect.signature(
        DATASETS.get(dataset.type)).parameters.get('num_frames')
    if param is None or param.default is inspect.Parameter.empty:
        raise ValueError(f'{cfg.filename}: {dataset.type} has no num_frames '
                         'default; pass --num-frames')
    return param.default


def audio_shape(cfg: Config, model: torch.nn.Module,
                num_frames: int) -> Tuple[int, ...]:
    """Shape of one frame's audio input.

    Runs the train pipeline's audio front end (one of
    :data:`AUDIO_FRONT_ENDS`) on a silent stereo waveform; without one, uses
    ``(1, *model.audio_backbone.in_shape)``.
    """
    for t in cfg.train_dataloader.dataset.get('pipeline', []):
        if t['type'].split('.')[-1] in AUDIO_FRONT_ENDS:
            results = TRANSFORMS.build(t)(
                dict(
                    waveform=np.zeros((2, WAVE_SECONDS * 16000), np.float32),
                    sample_rate=16000,
                    num_frames=num_frames))
            return tuple(results['audio'].shape[1:])
    backbone = getattr(model, 'audio_backbone', None)
    if backbone is None:
        return (1, )  # the model ignores the audio
    if not hasattr(backbone, 'in_shape'):
        raise ValueError(f'{cfg.filename}: cannot tell the input shape of '
                         f'{type(backbone).__name__}; pass --audio-shape')
    return (1, *backbone.in_shape)


def make_batch(batch_size: int, num_frames: int, shape: Sequence[int],
               audio: Sequence[int], num_classes: int, device: str) -> dict:
    """Random clips as ``avs_collate`` gives them, already on ``device``.

    Returns:
        dict: ``inputs`` with ``imgs`` (B, T, 3, H, W) in [0, 255] and
        ``audio`` (B, T, *audio); ``data_samples``, B*T samples with random
        labels in [0, num_classes).
    """
    b, t = batch_size, num_frames
    imgs = torch.randint(0, 256, (b, t, 3, *shape), device=device).float()
    samples = []
    for _ in range(b * t):
        sample = SegDataSample(
            metainfo=dict(
                img_shape=tuple(shape),
                ori_shape=tuple(shape),
                pad_shape=tuple(shape)))
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, num_classes, (1, *shape), device=device))
        samples.append(sample)
    return dict(
        inputs=dict(imgs=imgs, audio=torch.randn(b, t, *audio,
                                                 device=device)),
        data_samples=samples)


def measure(fn: Callable[[], object], args) -> Tuple[List[float], PeakMemory]:
    """Seconds per step (warm-up included in the memory peak)."""
    with PeakMemory(args.device) as memory:
        times = time_runs(fn, args.device, args.warmup, args.repeat,
                          args.iters)
    return times, memory


def benchmark(model: torch.nn.Module, optim_wrapper, data: dict,
              args) -> Dict[str, tuple]:
    """Time and memory of ``train_step`` and of ``test_step``."""
    device_type = torch.device(args.device).type

    def infer():
        amp = autocast(device_type=device_type) if args.amp else nullcontext()
        with torch.no_grad(), amp:
            return model.test_step(data)

    model.train()
    train = measure(lambda: model.train_step(data, optim_wrapper), args)
    model.eval()
    return dict(train=train, test=measure(infer, args))


def main(argv=None) -> str:
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.amp:
        load_enable_amp()(cfg)
    torch.backends.cudnn.benchmark = cfg.get('env_cfg', {}).get(
        'cudnn_benchmark', False)
    model = revert_sync_batchnorm(MODELS.build(cfg.model)).to(args.device)
    b = args.batch_size or cfg.train_dataloader.batch_size
    t = args.num_frames or frames_per_clip(cfg)
    shape = tuple(args.shape or frame_shape(cfg))
    audio = tuple(args.audio_shape or audio_shape(cfg, model, t))
    data = make_batch(b, t, shape, audio, model.decode_head.num_classes,
                      args.device)
    res = benchmark(model, build_optim_wrapper(model, cfg.optim_wrapper),
                    data, args)
    train_times, train_mem = res['train']
    test_times, test_mem = res['test']
    cuda = torch.device(args.device).type == 'cuda'
    device = (torch.cuda.get_device_name(args.device)
              if cuda else f'CPU ({torch.get_num_threads()} threads)')
    table = markdown_table(
        ('config', 'device', 'AMP', 'clips x frames', 'frame', 'audio',
         'train clips/s', 'train s/step', 'train peak MiB',
         'inference frames/s', 'inference peak MiB'),
        [(osp.splitext(osp.basename(args.config))[0], device,
          'yes' if args.amp else 'no', f'{b} x {t}', 'x'.join(map(str, shape)),
          'x'.join(map(str, audio)), mean_std([b / s for s in train_times]),
          mean_std(train_times, '.3f'), _mib(train_mem),
          mean_std([b * t / s for s in test_times]), _mib(test_mem))])
    memory = 'torch.cuda.max_memory_allocated' if cuda else 'peak RSS (VmHWM)'
    print(f'{table}\n\nmean ± std over {args.repeat} runs of {args.iters} '
          f'steps after {args.warmup} warm-up steps; peak memory: {memory} '
          'above its level before the first step (model and inputs '
          'excluded, warm-up included).')
    return table


def _mib(memory: PeakMemory) -> str:
    return 'n/a' if memory.peak_mib is None else f'{memory.peak_mib:.0f}'


if __name__ == '__main__':
    main()
