# Copyright (c) mmavs contributors. All rights reserved.
"""tools/model_converters on checkpoints generated in the released layouts
(official AVSBench TPAVI models, the PyTorch VGGish release)."""
import copy
import importlib.util
import io
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmavs.models.audio_backbones import VGGish
from mmavs.models.fusion import TPAVI
from mmavs.models.utils import avsbench_convert
from mmavs.registry import MODELS
from mmavs.utils import load_local_checkpoint, register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
R50_TSV = osp.join(ROOT, 'tests', 'data',
                   'avsbench-official-tpavi-r50-state-dict.tsv')
VGGISH_TSV = osp.join(ROOT, 'tests', 'data', 'torchvggish-state-dict.tsv')
R50_CONFIG = osp.join(ROOT, 'configs', 'tpavi',
                      'tpavi_r50_1xb4-15e_avsbench-s4-224x224.py')
PVT_MODEL_CONFIG = osp.join(ROOT, 'configs', '_base_', 'models',
                            'tpavi_pvt-v2-b5.py')


def read_shapes(path):
    shapes = {}
    with open(path) as f:
        for line in f:
            key, shape = line.rstrip('\n').split('\t')
            shapes[key] = tuple(
                int(s) for s in shape.strip('()').split(',') if s.strip())
    return shapes


def fake_state_dict(shapes, offset=0):
    """Tensors of the given shapes, each filled with its own value (fast for
    ~100M parameters; a wrong mapping puts a value under another key)."""
    return {
        key: torch.full(shape, offset + i,
                        dtype=torch.int64 if key.endswith(
                            'num_batches_tracked') else torch.float32)
        for i, (key, shape) in enumerate(shapes.items())
    }


def run_tool(name, *args):
    path = osp.join(ROOT, 'tools', 'model_converters', f'{name}.py')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    argv = sys.argv
    sys.argv = [path, *map(str, args)]
    try:
        module.main()
    finally:
        sys.argv = argv


def official_to_mmavs_key(key):
    """The mapping, written independently of the converter."""
    replacements = [('resnet.layer3_1.', 'backbone.layer3.'),
                    ('resnet.layer4_1.', 'backbone.layer4.'),
                    ('resnet.', 'backbone.'),
                    ('encoder_backbone.', 'backbone.'),
                    ('output_conv.4.', 'decode_head.conv_seg.'),
                    ('output_conv.', 'decode_head.output_conv.')]
    for i in range(1, 5):
        replacements += [
            (f'conv{i}.conv2d_list.', f'neck.convs.{i - 1}.conv2d_list.'),
            (f'path{i}.', f'decode_head.fusion_blocks.{i - 1}.'),
            (f'tpavi_b{i}.', f'fusion.blocks.{i - 1}.')
        ]
    for old, new in replacements:
        if key.startswith(old):
            return new + key[len(old):]
    raise AssertionError(key)


def build_model(model_cfg):
    """The model on the meta device: keys and shapes, no weights to init."""
    register_all_modules()
    cfg = copy.deepcopy(model_cfg)
    cfg.backbone.pop('init_cfg', None)
    cfg.audio_backbone.pop('init_cfg', None)
    with torch.device('meta'):
        return MODELS.build(cfg)


@pytest.fixture(scope='module')
def vggish_release(tmp_path_factory):
    weights = fake_state_dict(read_shapes(VGGISH_TSV), offset=10000)
    path = tmp_path_factory.mktemp('vggish') / 'vggish-10086976.pth'
    torch.save(weights, path, _use_new_zipfile_serialization=False)
    return path, weights


def test_avsbench_r50(tmp_path, vggish_release):
    official = fake_state_dict(read_shapes(R50_TSV))
    src, dst = tmp_path / 'S4_res50.pth', tmp_path / 'tpavi_r50.pth'
    torch.save(official, src)
    run_tool('avsbench2mmavs', src, dst, '--backbone', 'r50', '--vggish',
             vggish_release[0])
    ckpt = load_local_checkpoint(str(dst))
    state = ckpt['state_dict']

    model = build_model(Config.fromfile(R50_CONFIG).model)
    model.load_state_dict(state, strict=True)  # every key, audio included
    unused = [
        k for k in official
        if k.startswith(('resnet.layer3_2.', 'resnet.layer4_2.'))
    ]
    assert sorted(ckpt['meta']['dropped_keys']) == sorted(unused)
    assert ckpt['meta']['tpavi_stages'] == [0, 1, 2, 3]
    for key, value in official.items():
        if key not in unused:
            assert torch.equal(state[official_to_mmavs_key(key)], value), key
    for key, value in vggish_release[1].items():
        assert torch.equal(state[f'audio_backbone.{key}'], value), key
    assert len(state) == len(official) - len(unused) + len(vggish_release[1])


def test_avsbench_pvt_v2_b5():
    model = build_model(Config.fromfile(PVT_MODEL_CONFIG).model)
    assert model.backbone.depths == [3, 6, 40, 3]
    # the official PVT model: encoder_backbone.<PVT-v2-b5>, the rest as R50
    shapes = {
        f'encoder_backbone.{k}': tuple(v.shape)
        for k, v in model.backbone.state_dict().items()
    }
    shapes.update({
        k: s
        for k, s in read_shapes(R50_TSV).items()
        if not k.startswith('resnet.')
    })
    for i, c in enumerate([64, 128, 320, 512]):
        for j in range(4):
            shapes[f'conv{i + 1}.conv2d_list.{j}.weight'] = (256, c, 3, 3)
    official = fake_state_dict(shapes)
    state, info = avsbench_convert(official)  # backbone detected
    assert info['backbone'] == 'pvt_v2_b5' and info['dropped_keys'] == []
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert unexpected == []
    assert all(k.startswith('audio_backbone.') for k in missing)
    assert len(missing) == len(model.audio_backbone.state_dict())
    for key, value in official.items():
        assert torch.equal(state[official_to_mmavs_key(key)], value), key


def test_avsbench_tpavi_stage_subset_and_no_vggish(tmp_path):
    """Table 7's TPAVI at stages 3-4: tpavi_b3/b4 -> TPAVI(stages=(2, 3))."""
    # the backbone reduced to one key: the full layout is tested above
    kept = ('resnet.conv1.weight', 'tpavi_b3.', 'tpavi_b4.')
    shapes = {
        k: s
        for k, s in read_shapes(R50_TSV).items() if k.startswith(kept)
    }
    official = fake_state_dict(shapes)
    src, dst = tmp_path / 'ms3_tpavi34.pth', tmp_path / 'out.pth'
    torch.save(official, src)
    with pytest.warns(UserWarning, match='no --vggish'):
        run_tool('avsbench2mmavs', src, dst)
    ckpt = load_local_checkpoint(str(dst))
    assert ckpt['meta']['tpavi_stages'] == [2, 3]
    assert ckpt['meta']['backbone'] == 'r50'
    state = ckpt['state_dict']
    assert not any(k.startswith('audio_backbone.') for k in state)
    fusion = TPAVI(stages=(2, 3))
    fusion.load_state_dict(
        {k[len('fusion.'):]: v
         for k, v in state.items() if k.startswith('fusion.')},
        strict=True)
    assert torch.equal(fusion.blocks[0].phi.weight,
                       official['tpavi_b3.phi.weight'])
    assert torch.equal(fusion.blocks[1].W_z[1].running_var,
                       official['tpavi_b4.W_z.1.running_var'])


def test_avsbench_bad_checkpoints(tmp_path):
    official = {
        'resnet.conv1.weight': torch.zeros(1),
        'tpavi_b1.g.weight': torch.zeros(1),
        'classifier.weight': torch.zeros(1)
    }
    src = tmp_path / 'odd.pth'
    torch.save(official, src)
    with pytest.raises(ValueError, match=r'odd\.pth.*classifier\.weight'):
        run_tool('avsbench2mmavs', src, tmp_path / 'out.pth')
    with pytest.raises(ValueError, match='odd.pth.*resnet.conv1.weight'):
        run_tool('avsbench2mmavs', src, tmp_path / 'out.pth', '--backbone',
                 'pvt_v2_b5')
    torch.save({'conv1.conv2d_list.0.bias': torch.zeros(1)}, src)
    with pytest.raises(ValueError, match='cannot tell the visual backbone'):
        run_tool('avsbench2mmavs', src, tmp_path / 'out.pth')


def save_numpy1_pickle(obj, path):
    """``torch.save`` in the legacy format as numpy 1 pickled arrays (the
    2019 PCA release), whatever numpy runs here."""
    buffer = io.BytesIO()
    torch.save(obj, buffer, _use_new_zipfile_serialization=False)
    path.write_bytes(buffer.getvalue().replace(b'numpy._core.multiarray\n',
                                               b'numpy.core.multiarray\n'))


def test_vggish_with_pca(tmp_path, vggish_release):
    rng = np.random.default_rng(0)
    eigen = rng.standard_normal((128, 128)) / 12
    means = rng.standard_normal(128)
    pca_path = tmp_path / 'vggish_pca_params-970ea276.pth'
    save_numpy1_pickle(dict(pca_eigen_vectors=eigen, pca_means=means),
                       pca_path)
    dst = tmp_path / 'vggish_mmavs.pth'
    run_tool('vggish2mmavs', vggish_release[0], dst, '--pca', pca_path)

    with torch.device('meta'):
        model = VGGish(
            postprocess=True,
            init_cfg=dict(type='Pretrained', checkpoint=str(dst)))
    model.to_empty(device='cpu')  # uninitialised: init_cfg must fill all
    model.init_weights()
    for key, value in vggish_release[1].items():
        assert torch.equal(model.state_dict()[key], value), key
    # PCA, clip to [-2, 2], quantise to 8 bits, as the release in numpy
    emb = rng.standard_normal((3, 128)).astype(np.float32) * 3
    expected = (eigen @ (emb.T - means.reshape(-1, 1))).T
    expected = np.round((np.clip(expected, -2, 2) + 2) * 255 / 4)
    out = model.pproc(torch.from_numpy(emb)).numpy()
    assert np.abs(out - expected).max() <= 1  # float32 vs float64 rounding
    assert (out == expected).mean() > 0.99


def test_vggish_bad_files(tmp_path, vggish_release):
    weights = {
        k: v
        for k, v in vggish_release[1].items()
        if k not in ('embeddings.0.weight', 'embeddings.2.weight')
    }
    weights['embeddings.4.weight'] = torch.zeros(64, 4096)
    src = tmp_path / 'not_vggish.pth'
    torch.save(weights, src)
    with pytest.raises(ValueError) as err:
        run_tool('vggish2mmavs', src, tmp_path / 'out.pth')
    msg = str(err.value)
    assert 'not_vggish.pth' in msg
    assert "missing ['embeddings.0.weight', 'embeddings.2.weight']" in msg
    assert 'embeddings.4.weight (64, 4096) != (128, 4096)' in msg
    pca = tmp_path / 'pca.pth'
    torch.save(dict(pca_eigen_vectors=torch.zeros(128, 128)), pca)
    with pytest.raises(ValueError, match=r"missing \['pproc.pca_means'\]"):
        run_tool('vggish2mmavs', vggish_release[0], tmp_path / 'out.pth',
                 '--pca', pca)
