# Copyright (c) mmavs contributors. All rights reserved.
"""tools/misc/join_avs_clips.py: clips joined into one demo input."""
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mmavs.apis.video_io import load_av_clip
from mmavs.audio import load_wav
from mmavs.datasets import AVSBenchObjectDataset

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/misc/join_avs_clips.py')


def test_join_clips(tool, tiny_avs_root, tmp_path):
    out = str(tmp_path / 'joined')
    names = tool.join_clips(
        tiny_avs_root, out, 'ms3', 'test', num_clips=2, start=0)
    infos = AVSBenchObjectDataset(
        tiny_avs_root, subset='ms3', split='test',
        serialize_data=False).data_list
    assert names == [info['clip_name'] for info in infos]
    # a frame folder with its wav: one frame per second, clip after clip
    clip = load_av_clip(out)
    assert clip.num_seconds == 10 and clip.has_audio
    paths = [p for info in infos for p in info['img_paths']]
    for frame, path in zip(clip.frames, paths):
        assert np.array_equal(frame, cv2.imread(path))
    joined, rate = load_wav(osp.join(out, 'audio.wav'))
    expected = np.concatenate([load_wav(i['audio_path'])[0] for i in infos],
                              axis=1)
    assert rate == 16000 and np.array_equal(joined, expected)  # bit-exact
    with pytest.raises(FileExistsError, match='not empty'):
        tool.join_clips(tiny_avs_root, out, 'ms3', 'test', num_clips=1)
    with pytest.raises(ValueError, match='has 2 clips; cannot take 2'):
        tool.join_clips(tiny_avs_root, str(tmp_path / 'x'), 'ms3', 'test',
                        num_clips=2, start=1)


def test_command_line(tiny_avs_root, tmp_path):
    out = tmp_path / 'joined'
    proc = subprocess.run([
        sys.executable, 'tools/misc/join_avs_clips.py', tiny_avs_root,
        str(out), '--subset', 's4', '--split', 'val', '--num-clips', '1',
        '--start', '1'
    ], cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    dataset = AVSBenchObjectDataset(tiny_avs_root, subset='s4', split='val')
    name = dataset.get_data_info(1)['clip_name']
    assert proc.stdout.strip() == f'joined 1 clips ({name}) into {out}'
    assert sorted(p.name for p in out.iterdir()) == [
        *(f'{k:04d}.png' for k in range(1, 6)), 'audio.wav']
