# Copyright (c) mmavs contributors. All rights reserved.
"""How tools/setup_env.sh decides to build mmcv's CUDA ops
(tools/mmcv_build_kind.sh), with fake nvcc, nvidia-smi and python."""
import os
import os.path as osp
import stat
import subprocess

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LIB = osp.join(ROOT, 'tools', 'mmcv_build_kind.sh')


def script(path, body):
    path.write_text('#!/bin/sh\n' + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def decide(tmp_path, nvcc=False, smi_gpu=None, torch_sees_gpu=False,
           torch_cuda=True, force=None):
    """(kind, cache suffix, message) on a machine with the given tools."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    if nvcc:
        script(bin_dir / 'nvcc',
               'echo "Cuda compilation tools, release 12.4, V12.4.131"\n')
    if smi_gpu is not None:
        out = 'GPU 0: Fake GPU (UUID: GPU-0)' if smi_gpu else ''
        script(bin_dir / 'nvidia-smi', f'echo "{out}"\n')
    # a python whose torch answers as asked
    script(
        tmp_path / 'python', 'case "$2" in\n'
        f'*is_available*) exit {0 if torch_sees_gpu else 1} ;;\n'
        f'*version.cuda*) exit {0 if torch_cuda else 1} ;;\n'
        'esac\nexit 2\n')
    env = dict(PATH=f'{bin_dir}:/usr/bin:/bin')
    if force is not None:
        env['FORCE_CUDA'] = force
    cmd = (f'source {LIB}; kind=$(mmcv_build_kind {tmp_path}/python); '
           'echo "$kind"; echo "tag=$(mmcv_build_tag "$kind")"')
    proc = subprocess.run(['bash', '-c', cmd],
                          env=env,
                          capture_output=True,
                          text=True,
                          check=True)
    kind, tag = proc.stdout.split()
    return kind, tag[len('tag='):], proc.stderr


@pytest.mark.parametrize('tools,kind', [
    (dict(), 'cpu'),
    (dict(nvcc=True), 'cpu'),  # nvcc but no GPU: stays a CPU build
    (dict(nvcc=True, smi_gpu=False), 'cpu'),
    (dict(smi_gpu=True, torch_sees_gpu=True), 'cpu'),  # no compiler
    (dict(nvcc=True, smi_gpu=True), 'cuda'),
    (dict(nvcc=True, torch_sees_gpu=True), 'cuda'),
    (dict(nvcc=True, smi_gpu=True, torch_cuda=False), 'cpu'),
    (dict(force='0', nvcc=True, smi_gpu=True), 'cpu'),
    (dict(force='1'), 'cuda'),
])
def test_build_kind(tmp_path, tools, kind):
    got, tag, message = decide(tmp_path, **tools)
    assert got == kind, message
    assert message.startswith('[mmavs]')
    # CUDA wheels get their own cache entry; CPU keeps the old key
    if kind == 'cuda' and tools.get('nvcc'):
        assert tag == '-cuda12.4'
    elif kind == 'cpu':
        assert tag == ''


def test_setup_env_uses_the_decision():
    text = open(osp.join(ROOT, 'tools', 'setup_env.sh')).read()
    assert 'source "$root/tools/mmcv_build_kind.sh"' in text
    assert 'FORCE_CUDA=$force_cuda' in text
    assert '$(mmcv_build_tag "$build_kind")' in text
    assert os.access(osp.join(ROOT, 'tools', 'setup_env.sh'), os.X_OK)
