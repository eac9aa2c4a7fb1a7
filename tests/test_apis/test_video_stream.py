# Copyright (c) mmavs contributors. All rights reserved.
"""VideoStream against an independent reference of the documented rules:
the frames and audio decoded here with PyAV (official AVSBench frame index,
N = floor(D) seconds, 1 s of audio per frame), windows of T seconds (the
last one moved back to end at the video's end, short videos padded with
their last second), the config's test transforms, the model."""
import math
import os.path as osp
from fractions import Fraction

import av
import numpy as np
import pytest
import torch
from mmengine.dataset import Compose
from video_utils import write_video

from mmavs.apis import NoAudioError, VideoStream, inference_video
from mmavs.datasets import avs_collate
from mmavs.visualization.fusion_aux import FusionAuxRecorder


def decode_reference(path):
    """All frames, then the frame of each second by the official index
    rule, and the audio of each second (whole track decoded at once)."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate)
        decoded = [(f.time, f.to_ndarray(format='bgr24'))
                   for f in container.decode(stream)]
    t0 = decoded[0][0]
    num = math.floor(decoded[-1][0] - t0 + 1 / fps + 1e-6)
    fi = round(fps)
    index = [min(int(k * fi + 15 * fi / 16), len(decoded) - 1)
             for k in range(num)]
    with av.open(path) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format='fltp')
        blocks, start = [], None
        for frame in container.decode(stream):
            start = frame.time if start is None else start
            rate = frame.sample_rate
            blocks += [f.to_ndarray() for f in resampler.resample(frame)]
    wave = np.concatenate(blocks, axis=1)
    shift = round((start - t0) * rate)
    wave = np.pad(wave, ((0, 0), (shift, 0))) if shift >= 0 else \
        wave[:, -shift:]
    wave = np.pad(wave, ((0, 0), (0, max(0, num * rate - wave.shape[1]))))
    return dict(
        frames=[decoded[i][1] for i in index],
        times=[decoded[i][0] - t0 for i in index],
        audio=[wave[:, k * rate:(k + 1) * rate] for k in range(num)],
        rate=rate)


def reference_predictions(model, path, T, batch_size):
    ref = decode_reference(path)
    num = len(ref['frames'])
    if num <= T:
        windows = [list(range(num)) + [num - 1] * (T - num)]
    else:
        starts = list(range(0, num - T + 1, T))
        if starts[-1] + T < num:
            starts.append(num - T)
        windows = [list(range(s, s + T)) for s in starts]
    pipeline = Compose([
        dict(type='AVSResize', scale=(96, 96), _scope_='mmavs'),
        dict(type='ComputeVGGishExamples', num_examples=T, _scope_='mmavs'),
        dict(type='PackAVSInputs', _scope_='mmavs')
    ])
    name = osp.basename(path)
    masks, attention = {}, {}
    for first in range(0, len(windows), batch_size):
        chunk = windows[first:first + batch_size]
        packed = [
            pipeline(
                dict(
                    imgs=[ref['frames'][k] for k in w],
                    img_shape=ref['frames'][0].shape[:2],
                    ori_shape=ref['frames'][0].shape[:2],
                    waveform=np.concatenate([ref['audio'][k] for k in w],
                                            axis=1),
                    sample_rate=ref['rate'],
                    img_paths=[f'{name}@{ref["times"][k]:.3f}s' for k in w],
                    clip_name=f'{name}#{w[0]}',
                    num_frames=T,
                    audio_path=path)) for w in chunk
        ]
        recorder = FusionAuxRecorder(model)
        with recorder, torch.no_grad():
            samples = model.test_step(avs_collate(packed))
        for i, w in enumerate(chunk):
            for t, k in enumerate(w):
                if k not in masks:  # the first prediction of a second
                    masks[k] = samples[i * T + t].pred_sem_seg.data[0]
                    attention[k] = recorder.attention()[i * T + t].numpy()
    return ref, masks, attention


CASES = [
    # (seconds, fps, T, batch size, attention)
    (7.4, 25, None, 1, True),  # 7 s + a partial one: windows 0-4, 2-6
    (11, 30, None, 2, False),  # windows 0-4, 5-9, 6-10, two per batch
    (3, 25, None, 1, True),  # shorter than T: padded
    (8.5, Fraction(30000, 1001), 3, 1, False),  # fi = 30: 0-2, 3-5, 5-7
]


@pytest.mark.parametrize('seconds, fps, T, batch_size, with_attention', CASES)
def test_stream_matches_reference(model, tmp_path, seconds, fps, T,
                                  batch_size, with_attention):
    path = write_video(
        tmp_path / 'v.mkv', seconds=seconds, fps=fps, size=48)
    ref, masks, attention = reference_predictions(
        model, path, T or 5, batch_size)
    results = list(
        VideoStream(
            model,
            path,
            num_frames=T,
            batch_size=batch_size,
            with_attention=with_attention))
    assert [r.index for r in results] == list(range(len(ref['frames'])))
    assert len(results) == int(seconds)
    for r in results:
        k = r.index
        np.testing.assert_array_equal(r.frame, ref['frames'][k])
        assert r.time == pytest.approx(ref['times'][k])
        np.testing.assert_array_equal(r.audio, ref['audio'][k])
        assert r.mask.dtype == np.uint8 and r.mask.shape == (48, 48)
        np.testing.assert_array_equal(r.mask, masks[k].numpy())
        if with_attention:
            np.testing.assert_allclose(r.attention, attention[k], rtol=1e-5)
        else:
            assert r.attention is None
    if not with_attention:
        return
    # the whole-video result collects the same
    whole = inference_video(
        model,
        path,
        num_frames=T,
        batch_size=batch_size,
        with_attention=with_attention)
    np.testing.assert_array_equal(whole.masks,
                                  np.stack([r.mask for r in results]))
    # D = number of frames / fps
    assert whole.clip.duration == pytest.approx(
        int(seconds * fps) / fps, abs=1e-3)
    np.testing.assert_array_equal(whole.clip.waveform,
                                  np.concatenate(ref['audio'], axis=1))


def test_stream_yields_as_it_decodes(model, tmp_path, decoded):
    """The masks of a window come as soon as its seconds are decoded: at 25
    fps the frame of second 4 is frame 123 and frame 124 (4.96 s) shows
    that the video lasts past 5 s."""
    path = write_video(tmp_path / 'long.mp4', seconds=11, fps=25)
    stream = iter(VideoStream(model, path))
    decoded.clear()  # opening decodes the first frame (start time)
    assert [next(stream).index for _ in range(5)] == [0, 1, 2, 3, 4]
    assert len(decoded) == 125
    assert next(stream).index == 5
    assert len(decoded) == 250  # up to 9.96 s
    assert [r.index for r in stream] == [6, 7, 8, 9, 10]
    assert len(decoded) == 275


def test_stream_checks_input_when_opened(model, tmp_path):
    mute = write_video(tmp_path / 'mute.mp4', seconds=3, audio=False)
    with pytest.raises(NoAudioError, match='mute.mp4'):
        VideoStream(model, mute)
    stream = VideoStream(model, mute, silent_ok=True)
    assert not stream.reader.has_audio
    results = list(stream)
    assert len(results) == 3 and not any(r.audio.any() for r in results)
    with pytest.raises(RuntimeError, match='read already'):
        list(stream)
    with pytest.raises(ValueError, match='batch_size'):
        VideoStream(model, mute, silent_ok=True, batch_size=0)
