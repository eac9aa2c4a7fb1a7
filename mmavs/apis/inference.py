# Copyright (c) mmavs contributors. All rights reserved.
"""Build a segmentor from a config and segment the sounding objects of a
video, window by window, as it decodes."""
import inspect
import os.path as osp
import time
from collections import deque
from contextlib import nullcontext
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from tqdm import tqdm

from mmavs.datasets import avs_collate
from mmavs.registry import DATASETS, MODELS
from mmavs.visualization.fusion_aux import FusionAuxRecorder
from .results import SecondResult, VideoResult
from .video_io import AVClip, AVSeconds

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


def slide_windows(items: Iterable, num_frames: int
                  ) -> Iterator[Tuple[list, List[bool]]]:
    """Cover a sequence of seconds with windows of ``num_frames``, as it
    comes (the last ``num_frames`` items are held).

    Windows start every ``num_frames`` seconds; if the last one would run
    past the end it starts ``num_frames`` seconds before the end instead,
    and only its seconds not predicted yet are kept. A sequence shorter
    than one window is padded by repeating its last second; the padded
    positions are not kept.

    Args:
        items (Iterable): One item per second, in order.
        num_frames (int): Seconds per window T.

    Yields:
        tuple[list, list[bool]]: The T items of a window and whether each
        position's prediction is kept.
    """
    if num_frames < 1:
        raise ValueError(
            f'need at least one frame per window, got {num_frames}.')
    recent = deque(maxlen=num_frames)
    count, done = 0, 0  # seconds read, seconds predicted
    for count, item in enumerate(items, 1):
        recent.append(item)
        if count - done == num_frames:
            yield list(recent), [True] * num_frames
            done = count
    if count == 0:
        raise ValueError('need at least one second.')
    if count < num_frames:
        pad = num_frames - count
        yield (list(recent) + [recent[-1]] * pad,
               [True] * count + [False] * pad)
    elif done < count:
        yield list(recent), [
            k >= done for k in range(count - num_frames, count)
        ]


def plan_windows(num_seconds: int, num_frames: int) -> List[Window]:
    """The windows of :func:`slide_windows` over ``num_seconds`` seconds, as
    second indices."""
    return list(slide_windows(range(num_seconds), num_frames))


class VideoStream:
    """Segment the sounding objects of a video as it decodes.

    One frame per second is sampled as the dataset was built (see
    :mod:`mmavs.apis.video_io`); windows of T seconds (T of the config's
    test dataset) slide over the video (see :func:`slide_windows`); each
    window's frames and audio go through the config's test pipeline
    (see :func:`build_window_pipeline`; one audio input per frame, from
    that frame's second) and the model. Iterating yields a
    :class:`SecondResult` per second, in order, as soon as its window is
    predicted; only the last T seconds (times ``batch_size`` windows) are
    held, whatever the length of the video. It can be iterated once.

    Opening checks the input (missing, empty, corrupt or non-video file,
    no audio), so these errors come before any output.

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

    Attributes:
        reader (AVSeconds): The frames and audio (``duration``,
            ``has_audio``, ``sample_rate``, ...).
        classes (Sequence[str]): Class names, index 0 = background.
        palette (Sequence[Sequence[int]]): RGB colour of each class.
    """

    def __init__(self,
                 model: nn.Module,
                 path: str,
                 audio: Optional[str] = None,
                 fps: float = 1.0,
                 silent_ok: bool = False,
                 num_frames: Optional[int] = None,
                 batch_size: int = 1,
                 with_attention: bool = False) -> None:
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}.')
        self.model, self.batch_size = model, batch_size
        self.num_frames = num_frames or _num_frames(model.cfg)
        self.pipeline = build_window_pipeline(model.cfg, self.num_frames)
        self.recorder = FusionAuxRecorder(model) if with_attention else None
        self.classes = model.dataset_meta['classes']
        self.palette = model.dataset_meta['palette']
        self.reader = AVSeconds(path, audio, fps, silent_ok)

    def __iter__(self) -> Iterator[SecondResult]:
        seconds = ((k, *second) for k, second in enumerate(self.reader))
        with self.recorder or nullcontext():
            batch = []
            for window in slide_windows(seconds, self.num_frames):
                batch.append(window)
                if len(batch) == self.batch_size:
                    yield from self._predict(batch)
                    batch = []
            if batch:
                yield from self._predict(batch)

    def _window_inputs(self, items: Sequence[tuple]) -> dict:
        """Pipeline input of one window: its frames and the audio of its
        seconds, in window order."""
        name = osp.basename(self.reader.frames.path.rstrip('/'))
        seconds, frames, times, audio = zip(*items)
        return dict(
            imgs=list(frames),
            img_shape=frames[0].shape[:2],
            ori_shape=frames[0].shape[:2],
            waveform=np.concatenate(audio, axis=1),
            sample_rate=self.reader.sample_rate,
            img_paths=[f'{name}@{t:.3f}s' for t in times],
            clip_name=f'{name}#{seconds[0]}',
            num_frames=len(seconds),
            audio_path=self.reader.frames.path)

    def _predict(self, batch: List[Tuple[list, List[bool]]]
                 ) -> List[SecondResult]:
        """Results of the kept seconds of a batch of windows."""
        packed = [self.pipeline(self._window_inputs(w)) for w, _ in batch]
        if 'audio' not in packed[0]['inputs']:
            raise ValueError('the test pipeline of the config computes no '
                             'audio from the waveform (e.g. add '
                             'ComputeVGGishExamples after LoadAudio).')
        with torch.no_grad():
            samples = self.model.test_step(avs_collate(packed))
        attn = self.recorder.attention() if self.recorder else None
        results, T = [], self.num_frames
        for i, (items, keep) in enumerate(batch):
            for t in np.flatnonzero(keep):
                k, frame, stamp, audio = items[t]
                mask = samples[i * T + t].pred_sem_seg.data[0]
                results.append(
                    SecondResult(
                        k,
                        stamp,
                        frame,
                        audio,
                        mask=mask.cpu().numpy().astype(np.uint8),
                        attention=None if attn is None else
                        attn[i * T + t].float().cpu().numpy()))
        return results


def track_progress(stream: VideoStream) -> Iterator[SecondResult]:
    """Pass on the results of a stream with a progress bar of the video
    seconds done, showing the real-time factor (video seconds per
    wall-clock second, reading, predicting and whatever the consumer does
    between results included)."""
    hint = stream.reader.frames.duration_hint
    start = time.perf_counter()
    with tqdm(
            total=None if hint is None else int(hint),
            unit='s',
            desc=osp.basename(stream.reader.frames.path.rstrip('/'))) as bar:
        for result in stream:
            rtf = (result.index + 1) / max(time.perf_counter() - start, 1e-9)
            bar.set_postfix_str(f'{rtf:.2f}x real time', refresh=False)
            bar.update()
            yield result


def inference_video(model: nn.Module,
                    path: str,
                    audio: Optional[str] = None,
                    fps: float = 1.0,
                    silent_ok: bool = False,
                    num_frames: Optional[int] = None,
                    batch_size: int = 1,
                    with_attention: bool = False,
                    progress: bool = False) -> VideoResult:
    """Segment the sounding objects of a video and collect the results of
    :class:`VideoStream` (same arguments; its frames and audio are kept, so
    memory grows with the length: iterate a :class:`VideoStream` for long
    videos).

    Args:
        progress (bool): Show a progress bar (:func:`track_progress`).
            Defaults to False.

    Returns:
        VideoResult: Masks (and attention maps) of the N sampled frames.
    """
    stream = VideoStream(model, path, audio, fps, silent_ok, num_frames,
                         batch_size, with_attention)
    results = list(track_progress(stream) if progress else stream)
    reader = stream.reader
    clip = AVClip(reader.frames.path, [r.frame for r in results],
                  np.asarray([r.time for r in results]), reader.duration,
                  reader.frames.fps,
                  np.concatenate([r.audio for r in results], axis=1),
                  reader.sample_rate, reader.has_audio, reader.audio_file)
    return VideoResult(
        clip=clip,
        masks=np.stack([r.mask for r in results]),
        classes=stream.classes,
        palette=stream.palette,
        attention=np.stack([r.attention for r in results])
        if with_attention else None)
