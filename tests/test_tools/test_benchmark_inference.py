# Copyright (c) mmavs contributors. All rights reserved.
"""tools/analysis_tools/benchmark_inference.py on a few seconds of video."""
import os.path as osp

import av
import numpy as np
import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = osp.join(ROOT, 'configs', 'tpavi',
                'tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py')


@pytest.fixture(scope='module')
def bench(load_tool):
    return load_tool('tools/analysis_tools/benchmark_inference.py')


def test_generated_video(bench, tmp_path):
    path = bench.generate_video(str(tmp_path / 'v.mp4'), 2.4, 64, 36, 10)
    with av.open(path) as container:
        assert container.duration / 1e6 == pytest.approx(2.4, abs=0.05)
        frames = [f.to_ndarray(format='rgb24')
                  for f in container.decode(video=0)]
    with av.open(path) as container:
        audio = np.concatenate(
            [f.to_ndarray() for f in container.decode(audio=0)], axis=1)
        rate = container.streams.audio[0].rate
    assert len(frames) == 24 and frames[0].shape == (36, 64, 3)
    # the disc (red) moves right by H/3 = 12 pixels a second
    red = [
        np.nonzero((f[..., 0] > 180) & (f[..., 2] < 65))[1].mean()
        for f in frames
    ]
    assert red[15] - red[5] == pytest.approx(12, abs=1.5)
    assert rate == 16000 and audio.shape[1] == pytest.approx(2.4 * rate,
                                                             rel=0.05)
    # the tone's pitch is 440 Hz in second 0 and 880 Hz in second 1
    for k, freq in ((0, 440), (1, 880)):
        seg = audio[0, k * rate + 2048:(k + 1) * rate]
        peak = np.argmax(np.abs(np.fft.rfft(seg))) * rate / len(seg)
        assert abs(peak - freq) <= 3, (k, peak)


def test_table(bench):
    rows = [
        dict(mode='stream', seconds=60, wall_s=6.0, rtf=10.0,
             loaded_mib=900.0, peak_mib=1000.0, cuda_peak_mib=None),
        dict(mode='stream', seconds=600, wall_s=50.0, rtf=12.0,
             loaded_mib=900.0, peak_mib=1010.0, cuda_peak_mib=None),
    ]
    lines = bench.table(rows, [1, 10]).splitlines()
    assert lines[2] == ('| 1 | stream | 60 | 6.0 | 10.00x | 900 | 1000 | '
                        '1.000 | 100 | 1.00 |')
    assert lines[3] == ('| 10 | stream | 600 | 50.0 | 12.00x | 900 | 1010 '
                        '| 1.010 | 110 | 1.10 |')


@pytest.mark.slow
def test_benchmark_runs(bench, tmp_path, capsys):
    bench.main([
        TINY, '--minutes', '0.05', '--size', '64', '36', '--fps', '10',
        '--modes', 'stream', 'whole', '--work-dir',
        str(tmp_path)
    ])
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith('| 0.05')]
    assert [r.split(' | ')[1:3] for r in rows] == [['stream', '3'],
                                                   ['whole', '3']]
    assert osp.exists(tmp_path / '0.05min_64x36_10fps.mp4')
