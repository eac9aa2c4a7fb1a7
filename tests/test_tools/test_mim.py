# Copyright (c) mmavs contributors. All rights reserved.
"""`mim train/test mmavs NAME.py` on a plain (non-editable) install.

The checkout is installed as a wheel into a temporary prefix put first on
PYTHONPATH, so that mim (it asks pkg_resources where mmavs lives) finds the
config by its name under that install's ``mmavs/.mim/configs`` and runs its
``mmavs/.mim/tools/train.py`` / ``test.py``.
"""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py'
# what a source distribution holds (see MANIFEST.in)
SOURCES = ('mmavs', 'configs', 'tools', 'demo', 'requirements', 'setup.py',
           'setup.cfg', 'README.md', 'model-index.yml', 'MANIFEST.in')


def install_copy(tmp_path) -> str:
    """``pip install .`` of a copy of the checkout into ``tmp_path/site``."""
    src, site = tmp_path / 'src', tmp_path / 'site'
    ignore = shutil.ignore_patterns('.mim', '__pycache__', '*.egg-info')
    for name in SOURCES:
        if osp.isdir(osp.join(ROOT, name)):
            shutil.copytree(osp.join(ROOT, name), src / name, ignore=ignore)
        elif osp.exists(osp.join(ROOT, name)):
            shutil.copy(osp.join(ROOT, name), src / name)
    proc = subprocess.run([
        sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
        '--no-build-isolation', '--disable-pip-version-check', '--target',
        str(site),
        str(src)
    ],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return str(site)


def mim(site: str, cwd, *args) -> str:
    """Run the venv's ``mim`` with the plain install first on the path."""
    exe = osp.join(osp.dirname(sys.executable), 'mim')
    assert osp.exists(exe), f'{exe} missing: pip install openmim'
    env = dict(os.environ, PYTHONPATH=site)
    proc = subprocess.run([exe, *args],
                          cwd=cwd,
                          env=env,
                          capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.mark.slow
def test_mim_train_test_by_config_name(tmp_path, tiny_avs_root):
    site = install_copy(tmp_path)
    mim_dir = osp.join(site, 'mmavs', '.mim')
    # the wheel carries copies, not links into the checkout
    for name in ('configs', 'tools', 'model-index.yml'):
        assert not osp.islink(osp.join(mim_dir, name))
    assert osp.isfile(osp.join(mim_dir, 'configs', 'tpavi', CONFIG))
    assert osp.isfile(osp.join(mim_dir, 'tools', 'train.py'))

    work = tmp_path / 'work'
    options = ['--cfg-options'] + [
        f'{loader}_dataloader.{key}'
        for loader in ('train', 'val', 'test')
        for key in (f'dataset.data_root={tiny_avs_root}', 'num_workers=0',
                    'persistent_workers=False')
    ]
    # cwd outside the checkout: the config can only come from the install
    out = mim(site, tmp_path, 'train', 'mmavs', CONFIG, '--work-dir',
              str(work), *options, 'train_cfg.max_epochs=1')
    config = osp.join(mim_dir, 'configs', 'tpavi', CONFIG)
    assert f'will use {config} instead' in out, out[-3000:]
    assert osp.join(mim_dir, 'tools', 'train.py') in out
    assert (work / 'epoch_1.pth').is_file()

    report = tmp_path / 'report'
    out = mim(site, tmp_path, 'test', 'mmavs', CONFIG, '--checkpoint',
              str(work / 'epoch_1.pth'), '--work-dir', str(report), *options)
    assert osp.join(mim_dir, 'tools', 'test.py') in out, out[-3000:]
    metrics = json.load(open(report / 'test_metrics.json'))
    assert all(0 <= metrics[k] <= 1 for k in ('mJ', 'mF'))
