# Copyright (c) mmavs contributors. All rights reserved.
"""Build a segmentor from a config and segment the sounding objects of a
video, window by window."""
import inspect
import os.path as osp
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmengine.utils import ProgressBar

from mmavs.datasets import avs_collate
from mmavs.registry import DATASETS, MODELS
from mmavs.visualization.fusion_aux import FusionAuxRecorder
from .video_io import AVClip, load_av_clip

#: (second indices of the T window positions, whether each position's
#: prediction is kept)
Window = Tuple[List[int], List[bool]]


def _dataset_meta(cfg: Config) -> dict:
    """Classes and palette of the config's test dataset."""
    dataset = cfg.test_dataloader.dataset
    meta = dict(DATASETS.get(dataset.type).METAINFO)
    meta.update(dataset.get('metainfo') or {})
    return meta


def init_model(config: Union[str, Path, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None) -> nn.Module:
    """Build a segmentor from a config and load its weights.

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str, optional): Checkpoint file. None leaves the weights
            as built (no ``init_cfg`` is applied). Defaults to None.
        device (str): Device, e.g. ``'cpu'`` or ``'cuda:0'``.
            Defaults to ``'cpu'``.
        cfg_options (dict, optional): Config overrides. Defaults to None.

    Returns:
        nn.Module: The segmentor in eval mode, with ``cfg`` (the config) and
        ``dataset_meta`` (classes and palette: from the checkpoint, else from
        the test dataset of the config).
    """
    if isinstance(config, (str, Path)):
        config = Config.fromfile(str(config))
    elif not isinstance(config, Config):
        raise TypeError('config must be a filename or a Config, got '
                        f'{type(config).__name__}.')
    if cfg_options is not None:
        config.merge_from_dict(cfg_options)
    config.model.pretrained = None
    config.model.train_cfg = None
    init_default_scope(config.get('default_scope', 'mmavs'))
    model = MODELS.build(config.model)
    model.dataset_meta = _dataset_meta(config)
    if checkpoint is not None:
        ckpt = load_checkpoint(model, checkpoint, map_location='cpu')
        meta = ckpt.get('meta', {}).get('dataset_meta')
        model.dataset_meta = meta or model.dataset_meta
    if torch.device(device).type == 'cpu':
        model = revert_sync_batchnorm(model)
    model.cfg = config
    return model.to(device).eval()


def _num_frames(cfg: Config) -> int:
    """Frames per clip T of the config's test dataset."""
    dataset = cfg.test_dataloader.dataset
    if 'num_frames' in dataset:
        return dataset.num_frames
    param = inspect.signature(DATASETS.get(dataset.type)).parameters.get(
        'num_frames')
    if param is None or param.default is inspect.Parameter.empty:
        raise ValueError(f'Cannot tell the frames per clip of {dataset.type};'
                         ' pass num_frames.')
    return param.default


def build_window_pipeline(cfg: Config, num_frames: int) -> Compose:
    """The config's test pipeline, fed from memory, for windows of
    ``num_frames`` seconds.

    Transforms whose type starts with ``Load`` (they read files) are
    dropped, except ``LoadVGGishExamples`` (precomputed log-mel files),
    which becomes ``ComputeVGGishExamples``; ``ComputeVGGishExamples`` makes
    ``num_frames`` examples (example i from second i of the window);
    ``ComputeLogMel`` makes one spectrogram per frame of the window by
    itself; any other front end must give one audio input per frame
    (``PackAVSInputs`` raises otherwise). The rest (resizing,
    ``PackAVSInputs``) run as in testing.
    """
    transforms = []
    for transform in cfg.test_dataloader.dataset.pipeline:
        name = str(transform['type']).split('.')[-1]
        if name in ('LoadVGGishExamples', 'ComputeVGGishExamples'):
            transform = dict(
                type='ComputeVGGishExamples', num_examples=num_frames)
        elif name.startswith('Load'):
            continue
        transforms.append(dict(transform, _scope_='mmavs'))
    return Compose(transforms)


def plan_windows(num_seconds: int, num_frames: int) -> List[Window]:
    """Cover ``num_seconds`` seconds with windows of ``num_frames``.

    Windows start every ``num_frames`` seconds; if the last one would run
    past the end it starts ``num_frames`` seconds before the end instead,
    and only its seconds not predicted yet are kept. A video shorter than
    one window is padded by repeating its last second (frame and audio);
    the padded positions are not kept.
    """
    if num_seconds < 1 or num_frames < 1:
        raise ValueError('need at least one second and one frame per '
                         f'window, got {num_seconds} and {num_frames}.')
    if num_seconds <= num_frames:
        pad = num_frames - num_seconds
        return [(list(range(num_seconds)) + [num_seconds - 1] * pad,
                 [True] * num_seconds + [False] * pad)]
    starts = list(range(0, num_seconds - num_frames + 1, num_frames))
    if starts[-1] + num_frames < num_seconds:
        starts.append(num_seconds - num_frames)
    windows, done = [], 0
    for start in starts:
        seconds = list(range(start, start + num_frames))
        windows.append((seconds, [k >= done for k in seconds]))
        done = start + num_frames
    return windows


def window_results(clip: AVClip, seconds: Sequence[int]) -> dict:
    """Pipeline input of one window: its frames and the audio of its
    seconds, in window order."""
    name = osp.basename(clip.source.rstrip('/'))
    frames = [clip.frames[k] for k in seconds]
    return dict(
        imgs=frames,
        img_shape=frames[0].shape[:2],
        ori_shape=frames[0].shape[:2],
        waveform=np.concatenate([clip.audio_of_second(k) for k in seconds],
                                axis=1),
        sample_rate=clip.sample_rate,
        img_paths=[f'{name}@{clip.timestamps[k]:.3f}s' for k in seconds],
        clip_name=f'{name}#{seconds[0]}',
        num_frames=len(seconds),
        audio_path=clip.source)


@dataclass
class VideoResult:
    """Per-second predictions on a video.

    Attributes:
        clip (AVClip): The sampled frames, their times and the audio.
        masks (np.ndarray): uint8 (N, H, W) class indices (binary models:
            0/1) of the N sampled frames, at the frame size; mask k holds
            for the video time ``[k, k + 1)`` s.
        classes (Sequence[str]): Class names, index 0 = background.
        palette (Sequence[Sequence[int]]): RGB colour of each class.
        attention (np.ndarray, optional): float32 (N, H_s, W_s)
            audio-visual attention of the deepest fused stage.
    """
    clip: AVClip
    masks: np.ndarray
    classes: Sequence[str]
    palette: Sequence[Sequence[int]]
    attention: Optional[np.ndarray] = None

    @property
    def timestamps(self) -> np.ndarray:
        """Time (s) of each sampled frame, (N, )."""
        return self.clip.timestamps

    def index_at(self, time: float) -> int:
        """Index of the mask that holds at ``time`` seconds."""
        return int(min(max(np.floor(time), 0), len(self.masks) - 1))

    def areas(self) -> List[dict]:
        """Per sampled frame: its time, its second and the fraction of the
        frame covered by each predicted class (background excluded)."""
        out = []
        for k, mask in enumerate(self.masks):
            ids, counts = np.unique(mask, return_counts=True)
            out.append(
                dict(
                    time=float(self.timestamps[k]),
                    second=[k, k + 1],
                    areas={
                        str(self.classes[i]): float(c / mask.size)
                        for i, c in zip(ids, counts)
                        if 0 < i < len(self.classes)
                    }))
        return out


def _predict_windows(model: nn.Module, clip: AVClip, windows: List[Window],
                     batch_size: int, recorder: Optional[FusionAuxRecorder],
                     progress: bool) -> Tuple[list, list]:
    """Masks and attention maps of every kept second."""
    T = len(windows[0][0])
    pipeline = build_window_pipeline(model.cfg, T)
    num = clip.num_seconds
    masks, attn = [None] * num, [None] * num
    bar = ProgressBar(len(windows)) if progress else None
    for first in range(0, len(windows), batch_size):
        chunk = windows[first:first + batch_size]
        packed = [pipeline(window_results(clip, w[0])) for w in chunk]
        if 'audio' not in packed[0]['inputs']:
            raise ValueError('the test pipeline of the config computes no '
                             'audio from the waveform (e.g. add '
                             'ComputeVGGishExamples after LoadAudio).')
        with torch.no_grad():
            samples = model.test_step(avs_collate(packed))
        for i, (seconds, keep) in enumerate(chunk):
            for t in np.flatnonzero(keep):
                sample = samples[i * T + t]
                masks[seconds[t]] = sample.pred_sem_seg.data[0].cpu().numpy()
                if recorder is not None:
                    attn[seconds[t]] = recorder.attention()[i * T + t].float()
        if bar is not None:
            for _ in chunk:
                bar.update()
    return masks, attn


def inference_video(model: nn.Module,
                    path: str,
                    audio: Optional[str] = None,
                    fps: float = 1.0,
                    silent_ok: bool = False,
                    num_frames: Optional[int] = None,
                    batch_size: int = 1,
                    with_attention: bool = False,
                    progress: bool = False) -> VideoResult:
    """Segment the sounding objects of a video.

    One frame per second is sampled as the dataset was built (see
    :mod:`mmavs.apis.video_io`); windows of T seconds (T of the config's
    test dataset) slide over the video (see :func:`plan_windows`); each
    window's frames and audio go through the config's test pipeline
    (see :func:`build_window_pipeline`; one audio input per frame, from
    that frame's second) and the model.

    Args:
        model (nn.Module): A segmentor from :func:`init_model`.
        path (str): Video file (mp4, mkv, webm, avi, ...) or a folder of
            frames.
        audio (str, optional): Audio file of a frame folder.
            Defaults to None.
        fps (float): Frame rate of a frame folder. Defaults to 1.0.
        silent_ok (bool): Segment a video without audio track with silence
            instead of raising. Defaults to False.
        num_frames (int, optional): Frames per window T. Defaults to None
            (the config's).
        batch_size (int): Windows per forward pass. Defaults to 1.
        with_attention (bool): Also record the audio-visual attention of
            the deepest fused stage (the fusion must accept
            ``return_aux``). Defaults to False.
        progress (bool): Show a progress bar over windows.
            Defaults to False.

    Returns:
        VideoResult: Masks (and attention maps) of the N sampled frames.
    """
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, got {batch_size}.')
    clip = load_av_clip(path, audio, fps, silent_ok)
    windows = plan_windows(clip.num_seconds, num_frames
                           or _num_frames(model.cfg))
    recorder = FusionAuxRecorder(model) if with_attention else None
    with recorder or nullcontext():
        masks, attn = _predict_windows(model, clip, windows, batch_size,
                                       recorder, progress)
    meta = model.dataset_meta
    return VideoResult(
        clip=clip,
        masks=np.stack(masks).astype(np.uint8),
        classes=meta['classes'],
        palette=meta['palette'],
        attention=torch.stack(attn).cpu().numpy()
        if with_attention else None)
