# Copyright (c) mmavs contributors. All rights reserved.
import json
import os.path as osp

import av
import numpy as np
import pytest
import torch
from mmengine.config import Config
from video_utils import TINY_CONFIG, stepped_tone, write_video

from mmavs.apis import (MMAVSInferencer, NoAudioError, VideoDecodeError,
                        inference_video, init_model)
from mmavs.apis.inference import build_window_pipeline, plan_windows
from mmavs.audio import waveform_to_vggish_examples
from mmavs.datasets import AVSBenchObjectDataset, avs_collate


def test_plan_windows():
    assert plan_windows(12, 5) == [
        ([0, 1, 2, 3, 4], [True] * 5),
        ([5, 6, 7, 8, 9], [True] * 5),
        ([7, 8, 9, 10, 11], [False, False, False, True, True]),
    ]
    assert plan_windows(10, 5) == [([0, 1, 2, 3, 4], [True] * 5),
                                   ([5, 6, 7, 8, 9], [True] * 5)]
    # shorter than a window: repeat the last second, drop the padding
    assert plan_windows(3, 5) == [([0, 1, 2, 2, 2],
                                   [True, True, True, False, False])]
    assert plan_windows(4, 1) == [([k], [True]) for k in range(4)]
    with pytest.raises(ValueError):
        plan_windows(0, 5)


def test_window_pipeline_drops_file_loading():
    cfg = Config.fromfile(TINY_CONFIG)
    transforms = build_window_pipeline(cfg, 5).transforms
    names = [type(t).__name__ for t in transforms]
    assert names == ['AVSResize', 'ComputeVGGishExamples', 'PackAVSInputs']
    assert transforms[1].num_examples == 5
    cfg.test_dataloader.dataset.pipeline[4] = dict(
        type='LoadVGGishExamples', num_examples=5)
    transforms = build_window_pipeline(cfg, 3).transforms
    assert type(transforms[1]).__name__ == 'ComputeVGGishExamples'
    assert transforms[1].num_examples == 3


def test_num_frames_sets_audio_examples(model, tmp_path, monkeypatch):
    """num_frames=3: every window holds 3 frames and 3 audio examples, and
    example i is the audio of the window's second i (the amplitude of the
    tone grows each second, so each second has its own log-mel level)."""
    levels = [0.01, 0.03, 0.08, 0.2, 0.45, 0.9]
    path = write_video(
        tmp_path / 'steps.mp4',
        seconds=6,
        samples=stepped_tone(levels))
    fed = []
    test_step = model.test_step
    monkeypatch.setattr(model, 'test_step',
                        lambda data: fed.append(data) or test_step(data))
    result = inference_video(model, path, num_frames=3)
    assert result.masks.shape == (6, 64, 64)
    assert len(fed) == 2  # windows [0, 1, 2] and [3, 4, 5]
    # the level of each second, from its own 1 s of audio
    clip = result.clip
    ref = [
        waveform_to_vggish_examples(clip.audio_of_second(k),
                                    clip.sample_rate, 1).mean().item()
        for k in range(6)
    ]
    assert ref == sorted(ref)  # the amplitude steps are visible
    for w, data in enumerate(fed):
        assert [tuple(a.shape) for a in data['inputs']['audio']] == [
            (3, 1, 96, 64)
        ]
        assert [tuple(i.shape[:2]) for i in data['inputs']['imgs']] == [
            (3, 3)
        ]
        assert len(data['data_samples']) == 3
        for i, example in enumerate(data['inputs']['audio'][0]):
            level = example.mean().item()
            nearest = int(np.argmin([abs(level - r) for r in ref]))
            assert nearest == 3 * w + i, (w, i, level, ref)


def test_folder_matches_dataset(model, tiny_avs_root):
    """A dataset clip given as a frame folder plus its wav is segmented
    exactly as the test pipeline of the dataset does."""
    cfg = model.cfg
    dataset = AVSBenchObjectDataset(
        tiny_avs_root,
        subset='ms3',
        split='test',
        pipeline=cfg.test_dataloader.dataset.pipeline)
    info = dataset.get_data_info(0)
    with torch.no_grad():
        expected = model.test_step(avs_collate([dataset[0]]))
    folder = osp.dirname(info['img_paths'][0])
    result = inference_video(model, folder, audio=info['audio_path'])
    assert result.masks.shape == (5, 32, 32)
    for t in range(5):
        np.testing.assert_array_equal(
            result.masks[t], expected[t].pred_sem_seg.data[0].numpy())
    # another clip's audio changes the prediction: the audio is used
    other = dataset.get_data_info(1)['audio_path']
    swapped = inference_video(model, folder, audio=other)
    assert (swapped.masks != result.masks).any()


def test_video_with_attention(model, video_mp4):
    result = inference_video(model, video_mp4, with_attention=True)
    assert result.masks.shape == (6, 64, 64)
    assert set(np.unique(result.masks)) <= {0, 1}
    np.testing.assert_allclose(result.timestamps, np.arange(6) + 0.5)
    # deepest TPAVI stage of a 96x96 input: stride 32 -> 3x3
    assert result.attention.shape == (6, 3, 3)
    assert result.index_at(0.2) == 0 and result.index_at(5.9) == 5
    areas = result.areas()
    assert [a['second'] for a in areas] == [[k, k + 1] for k in range(6)]
    for a, mask in zip(areas, result.masks):
        assert a['areas'].get('sounding', 0) == pytest.approx(mask.mean())


def test_inferencer_writes_outputs(tmp_path, video_mp4):
    inferencer = MMAVSInferencer(TINY_CONFIG, alpha=0.4)
    out = inferencer(video_mp4, out_dir=str(tmp_path))
    assert len(out['predictions']) == 1
    video = out['visualization'][0]
    assert video == str(tmp_path / 'vis' / 'clip.mp4')
    with av.open(video) as container:
        assert container.duration / 1e6 == pytest.approx(6.0, abs=0.1)
        assert len(container.streams.audio) == 1
    assert len(list((tmp_path / 'pred' / 'clip').glob('clip_*.png'))) == 6
    data = json.load(open(tmp_path / 'pred' / 'clip.json'))
    assert len(data['frames']) == 6 and data['has_audio']


def test_init_model_rejects_bad_config():
    with pytest.raises(TypeError, match='config must be'):
        init_model(42)


def test_inference_video_bad_inputs(model, tmp_path, video_mp4):
    """Errors name the file and the problem; ``silent_ok`` segments a video
    without audio track with silence."""
    mute = write_video(tmp_path / 'mute.mkv', seconds=3, audio=False)
    with pytest.raises(NoAudioError, match='mute.mkv has no audio track'):
        inference_video(model, mute)
    result = inference_video(model, mute, silent_ok=True)
    assert not result.clip.has_audio and not result.clip.waveform.any()
    assert result.masks.shape == (3, 64, 64)  # 3 s < T: padding dropped
    np.testing.assert_allclose(result.timestamps, [0.5, 1.5, 2.5])
    text = tmp_path / 'notes.mp4'
    text.write_text('not a video at all\n' * 20)
    empty = tmp_path / 'empty.webm'
    empty.write_bytes(b'')
    corrupt = tmp_path / 'corrupt.mp4'
    data = open(video_mp4, 'rb').read()
    corrupt.write_bytes(data[:len(data) // 3])
    short = write_video(tmp_path / 'short.avi', seconds=0.5)
    for path, problem in ((text, ''), (empty, 'empty'), (corrupt, ''),
                          (short, 'at least one second')):
        with pytest.raises(VideoDecodeError) as err:
            inference_video(model, str(path))
        assert osp.basename(path) in str(err.value)
        assert problem in str(err.value)
