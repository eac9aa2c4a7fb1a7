# Copyright (c) mmavs contributors. All rights reserved.
"""The README's main job, ``tools/quickstart.sh --skip-setup``, end to end in
this environment: data, training, test, audio reliance and the demo video;
the trained model must listen."""
import json
import os
import os.path as osp
import subprocess
import sys

import av
import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STEPS = ('data', 'train', 'test', 'reliance', 'demo-input', 'demo')
# Seed 0 scored 0.851 and dropped by 0.45 on the development machine, five
# seeds 0.843-0.889 (docs/get_started.md); the goal is 0.80, less a margin
# for other CPUs (another machine moved a former model by 0.04).
MIN_TRUE_MJ = 0.78
MIN_DROP_MJ = 0.25


@pytest.mark.slow
def test_quickstart_model_listens(tmp_path):
    work, data = tmp_path / 'work', tmp_path / 'data'
    env = dict(
        os.environ,
        MMAVS_VENV=sys.prefix,
        MMAVS_QUICKSTART_WORK=str(work),
        MMAVS_QUICKSTART_DATA=str(data))
    proc = subprocess.run(['bash', 'tools/quickstart.sh', '--skip-setup'],
                          cwd=ROOT,
                          env=env,
                          capture_output=True,
                          text=True)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    for step in STEPS:
        assert f'[quickstart] {step}: ' in log, step

    metrics = json.loads(
        (work / 'audio_reliance' / 'reliance.json').read_text())['metrics']
    true_mj = metrics['true']['mJ']
    assert true_mj >= MIN_TRUE_MJ, metrics
    for cond in ('swap', 'silence'):
        assert true_mj - metrics[cond]['mJ'] >= MIN_DROP_MJ, (cond, metrics)
    for name in ('reliance.png', 'predictions.png'):
        assert (work / 'audio_reliance' / name).stat().st_size > 0

    # four 5-second test clips, with their sound
    with av.open(str(work / 'demo.mp4')) as container:
        assert container.duration / 1e6 == pytest.approx(20.0, abs=0.1)
        assert {s.type for s in container.streams} == {'video', 'audio'}
        assert sum(1 for _ in container.decode(video=0)) > 0
