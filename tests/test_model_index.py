# Copyright (c) mmavs contributors. All rights reserved.
"""model-index.yml, the metafiles and the config READMEs agree with
configs/ (mim lists and finds models through them)."""
import glob
import os.path as osp
import re

import pytest
import yaml

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
METAFILES = sorted(glob.glob(osp.join(ROOT, 'configs', '*', 'metafile.yaml')))


def read_yaml(path: str) -> dict:
    with open(path) as f:
        return yaml.safe_load(f)


def test_model_index_imports_every_metafile():
    index = read_yaml(osp.join(ROOT, 'model-index.yml'))
    assert sorted(osp.join(ROOT, p) for p in index['Import']) == METAFILES


@pytest.mark.parametrize(
    'path', METAFILES, ids=lambda p: osp.basename(osp.dirname(p)))
def test_metafile_lists_every_config(path):
    meta = read_yaml(path)
    collections = {c['Name'] for c in meta['Collections']}
    for collection in meta['Collections']:
        assert osp.isfile(osp.join(ROOT, collection['README']))
    configs = sorted(glob.glob(osp.join(osp.dirname(path), '*.py')))
    listed = []
    for model in meta['Models']:
        assert model['In Collection'] in collections
        assert model['Name'] == osp.splitext(osp.basename(model['Config']))[0]
        # no mmavs-trained weights yet
        assert model.get('Weights') is None
        for result in model.get('Results', []):
            assert result['Task'] and result['Dataset']
            # fractions (as AVSBench prints them) or percentages
            assert all(0 < v < 100 for v in result['Metrics'].values())
        listed.append(osp.join(ROOT, model['Config']))
    assert sorted(listed) == configs


def test_tpavi_metafile_holds_the_paper_numbers():
    models = {
        m['Name']: m
        for m in read_yaml(
            osp.join(ROOT, 'configs', 'tpavi', 'metafile.yaml'))['Models']
    }

    def metrics(name):
        return models[name]['Results'][0]['Metrics']

    # Table 3, AVS columns
    assert metrics('tpavi_r50_1xb4-15e_avsbench-s4-224x224') == dict(
        mJ=0.728, mF=0.848)
    assert metrics('tpavi-avm-av_pvt-v2-b5_1xb4-30e_avsbench-ms3-224x224') == (
        dict(mJ=0.540, mF=0.645))
    # Table 6, L_BCE + L_AVM-VV, ResNet-50
    assert metrics('tpavi-avm-vv_r50_1xb4-30e_avsbench-ms3-224x224') == dict(
        mJ=0.467, mF=0.577)
    # Table 7, PVT-v2 on MS3, stages 2-4
    assert metrics(
        'tpavi-stage234-avm-av_pvt-v2-b5_1xb4-30e_avsbench-ms3-224x224') == (
            dict(mJ=0.505))
    # Table 8, ResNet-50 without TPAVI, from S4
    assert metrics('nofusion_r50_s4-pre_1xb4-30e_avsbench-ms3-224x224') == (
        dict(mJ=0.455))


@pytest.mark.parametrize(
    'path', sorted(glob.glob(osp.join(ROOT, 'configs', '*', 'README.md'))),
    ids=lambda p: osp.basename(osp.dirname(p)))
def test_readme_links_exist(path):
    text = open(path).read()
    links = re.findall(r'\]\((\.[^)#\s]+)\)', text)
    assert links
    for link in links:
        assert osp.exists(osp.join(osp.dirname(path), link)), link
