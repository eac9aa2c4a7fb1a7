# Copyright (c) mmavs contributors. All rights reserved.
"""demo/video_demo.py end to end on generated videos."""
import json
import os.path as osp
import subprocess
import sys

import av
import pytest
import torch

from mmavs.apis import init_model

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tests', 'test_apis'))
from video_utils import write_video  # noqa: E402

CONFIG = osp.join(ROOT, 'configs', 'tpavi',
                  'tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py')


def demo(*args):
    return subprocess.run(
        [sys.executable, 'demo/video_demo.py', *args],
        cwd=ROOT,
        capture_output=True,
        text=True)


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """An untrained tiny model's checkpoint, as mmengine saves them."""
    model = init_model(CONFIG)
    path = tmp_path_factory.mktemp('ckpt') / 'tiny.pth'
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=model.dataset_meta)), path)
    return str(path)


@pytest.mark.slow
def test_demo_writes_video_with_audio(tmp_path, checkpoint):
    video = write_video(tmp_path / 'in.mkv', seconds=6, fps=2)
    out = tmp_path / 'out.mp4'
    proc = demo(video, CONFIG, checkpoint, '--out', str(out), '--png-dir',
                str(tmp_path / 'png'), '--json', str(tmp_path / 'a.json'),
                '--alpha', '0.3')
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the progress bar: 6 video seconds, the real-time factor
    assert '6/6' in proc.stderr and 'x real time' in proc.stderr
    with av.open(str(out)) as container:
        assert container.duration / 1e6 == pytest.approx(6.0, abs=0.1)
        streams = {s.type: s for s in container.streams}
        assert set(streams) == {'video', 'audio'}
        assert streams['video'].codec_context.name == 'h264'
        frames = list(container.decode(video=0))
        assert len(frames) == 12 and frames[0].width == 64
    assert len(list((tmp_path / 'png').glob('in_*.png'))) == 6
    data = json.load(open(tmp_path / 'a.json'))
    assert [f['second'] for f in data['frames']] == [[k, k + 1]
                                                     for k in range(6)]


@pytest.mark.slow
def test_demo_bad_inputs(tmp_path, checkpoint):
    mute = write_video(tmp_path / 'mute.mp4', seconds=3, audio=False)
    out = str(tmp_path / 'out.mp4')
    proc = demo(mute, CONFIG, checkpoint, '--out', out)
    assert proc.returncode != 0
    assert 'mute.mp4 has no audio track' in proc.stderr
    assert 'Traceback' not in proc.stderr
    proc = demo(mute, CONFIG, checkpoint, '--out', out, '--silent-ok')
    assert proc.returncode == 0, proc.stderr[-3000:]
    with av.open(out) as container:  # 3 s < one window: padded
        assert container.duration / 1e6 == pytest.approx(3.0, abs=0.1)
        assert not container.streams.audio
    text = tmp_path / 'notes.txt'
    text.write_text('hello\n')
    proc = demo(str(text), CONFIG, checkpoint, '--out', out)
    assert proc.returncode != 0 and 'notes.txt' in proc.stderr


@pytest.mark.slow
def test_demo_empty_and_corrupt(tmp_path, checkpoint):
    empty = tmp_path / 'empty.mp4'
    empty.write_bytes(b'')
    data = open(write_video(tmp_path / 'in.mp4', seconds=3), 'rb').read()
    corrupt = tmp_path / 'corrupt.mp4'
    corrupt.write_bytes(data[:len(data) // 3])  # truncated: no index
    out = tmp_path / 'out.mp4'
    for path, problem in ((empty, 'Video file is empty (0 bytes)'),
                          (corrupt, 'corrupt.mp4')):
        proc = demo(str(path), CONFIG, checkpoint, '--out', str(out))
        assert proc.returncode != 0
        assert proc.stderr.strip().splitlines()[-1].startswith(
            'video_demo: ') and problem in proc.stderr
        assert 'Traceback' not in proc.stderr
        assert not out.exists()
