# Copyright (c) mmavs contributors. All rights reserved.
"""Install mmavs. The full stack (mmcv compiled with ops) is set up by
``bash tools/setup_env.sh``; see README.md."""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


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
    zip_safe=False,
)
