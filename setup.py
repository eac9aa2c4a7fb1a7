# Copyright (c) mmavs contributors. All rights reserved.
"""Install mmavs. The full stack (mmcv compiled with ops) is set up by
``bash tools/setup_env.sh``; see README.md."""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = osp.dirname(osp.abspath(__file__))
# What `mim train/test mmavs NAME.py` looks up under mmavs/.mim
MIM_FILES = ('configs', 'tools', 'demo', 'model-index.yml')


def read_requirements(*names: str) -> list:
    """Requirement lines of ``requirements/<name>.txt`` without comments."""
    reqs = []
    for name in names:
        with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
            reqs += [
                line.split('#')[0].strip() for line in f
                if line.split('#')[0].strip()
            ]
    return reqs


def get_version() -> str:
    scope: dict = {}
    with open(osp.join(HERE, 'mmavs', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def add_mim_extension(package_dir: str, link: bool) -> None:
    """Put ``MIM_FILES`` in ``package_dir/.mim``: relative symlinks to the
    checkout for an editable install, copies for a wheel (as mmseg does)."""
    mim_dir = osp.join(package_dir, '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(HERE, name), osp.join(mim_dir, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if not osp.exists(src):
            continue
        if link:
            os.symlink(osp.relpath(src, mim_dir), dst)
        elif osp.isdir(src):
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copyfile(src, dst)


class BuildPyWithMim(build_py):
    """build_py that also ships ``MIM_FILES`` as ``mmavs/.mim`` copies."""

    def run(self) -> None:
        super().run()
        if not getattr(self, 'editable_mode', False):
            add_mim_extension(osp.join(self.build_lib, 'mmavs'), link=False)


# `pip install -e .` runs `editable_wheel` (PEP 660), older tools `develop`
if {'develop', 'editable_wheel'} & set(sys.argv):
    add_mim_extension(osp.join(HERE, 'mmavs'), link=True)

setup(
    name='mmavs',
    version=get_version(),
    description='Audio-visual segmentation toolbox built on MMSegmentation',
    long_description=open(osp.join(HERE, 'README.md')).read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
    include_package_data=True,
    python_requires='>=3.10',
    install_requires=read_requirements('torch', 'mmcv', 'runtime'),
    extras_require=dict(tests=read_requirements('tests')),
    cmdclass=dict(build_py=BuildPyWithMim),
    zip_safe=False,
)
