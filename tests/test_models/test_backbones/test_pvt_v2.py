# Copyright (c) mmavs contributors. All rights reserved.
import math
from collections import OrderedDict

import pytest
import torch
import torch.nn.functional as F

from mmavs.models.backbones import PyramidVisionTransformerV2
from mmavs.registry import MODELS

# PVT-v2-b0 of the official code: channels, blocks, MLP ratios, heads, SR
B0 = dict(
    embed_dims=[32, 64, 160, 256],
    depths=[2, 2, 2, 2],
    mlp_ratios=[8, 8, 4, 4],
    num_heads=[1, 2, 5, 8],
    sr_ratios=[8, 4, 2, 1])


def official_pvt_v2_shapes(embed_dims, depths, mlp_ratios, sr_ratios,
                           in_channels=3, num_classes=1000):
    """Keys and shapes of an official ``pvt_v2_b*.pth`` (classification
    model, with its head), written from the official module structure."""
    shapes = OrderedDict()
    prev = in_channels
    for i, (c, depth) in enumerate(zip(embed_dims, depths), start=1):
        k = 7 if i == 1 else 3
        shapes[f'patch_embed{i}.proj.weight'] = (c, prev, k, k)
        shapes[f'patch_embed{i}.proj.bias'] = (c, )
        shapes[f'patch_embed{i}.norm.weight'] = (c, )
        shapes[f'patch_embed{i}.norm.bias'] = (c, )
        hidden = c * mlp_ratios[i - 1]
        sr = sr_ratios[i - 1]
        for j in range(depth):
            p = f'block{i}.{j}.'
            layers = [('norm1', (c, )), ('attn.q', (c, c)),
                      ('attn.kv', (2 * c, c)), ('attn.proj', (c, c))]
            if sr > 1:
                layers += [('attn.sr', (c, c, sr, sr)), ('attn.norm', (c, ))]
            layers += [('norm2', (c, )), ('mlp.fc1', (hidden, c)),
                       ('mlp.dwconv.dwconv', (hidden, 1, 3, 3)),
                       ('mlp.fc2', (c, hidden))]
            for name, weight in layers:
                shapes[p + name + '.weight'] = weight
                shapes[p + name + '.bias'] = (weight[0], )
        shapes[f'norm{i}.weight'] = (c, )
        shapes[f'norm{i}.bias'] = (c, )
        prev = c
    shapes['head.weight'] = (num_classes, embed_dims[-1])
    shapes['head.bias'] = (num_classes, )
    return shapes


def test_b0_output_shapes_and_strides():
    model = MODELS.build(dict(type='PyramidVisionTransformerV2', arch='b0'))
    model.init_weights()
    outs = model(torch.randn(2, 3, 64, 96))
    assert [tuple(o.shape) for o in outs] == [(2, 32, 16, 24),
                                              (2, 64, 8, 12),
                                              (2, 160, 4, 6), (2, 256, 2, 3)]
    model = PyramidVisionTransformerV2(arch='b0', out_indices=(1, 3))
    outs = model(torch.randn(1, 3, 64, 64))
    assert [o.shape[1] for o in outs] == [64, 256]


def test_b5_channels():
    with torch.device('meta'):
        model = PyramidVisionTransformerV2(arch='b5')
        outs = model(torch.empty(1, 3, 224, 224))
    assert [tuple(o.shape) for o in outs] == [(1, 64, 56, 56),
                                              (1, 128, 28, 28),
                                              (1, 320, 14, 14),
                                              (1, 512, 7, 7)]
    assert model.depths == [3, 6, 40, 3] and model.mlp_ratios == [4] * 4


# Millions of parameters with the 1000-class ImageNet head, rounded to 0.1:
# the official model zoo (b2 25.4, b2-li 22.6, b3 45.2, b4 62.6, b5 82.0;
# b2 25.36 from its get_flops.py). For b0 and b1 the zoo table repeats the
# paper (3.4, 13.1); the released files are 14.7 MB and 56.0 MB of float32,
# i.e. 3.7M and 14.0M parameters, as timm's model cards say.
@pytest.mark.parametrize('arch, linear, millions', [
    ('b0', False, 3.7),
    ('b1', False, 14.0),
    ('b2', False, 25.4),
    ('b2', True, 22.6),
    ('b3', False, 45.2),
    ('b4', False, 62.6),
    ('b5', False, 82.0),
])
def test_parameter_count(arch, linear, millions):
    with torch.device('meta'):
        model = PyramidVisionTransformerV2(arch=arch, linear=linear)
    head = model.embed_dims[-1] * 1000 + 1000
    count = sum(p.numel() for p in model.parameters()) + head
    assert round(count / 1e6, 1) == millions


def test_key_layout_is_official():
    model = PyramidVisionTransformerV2(arch='b0')
    expected = official_pvt_v2_shapes(B0['embed_dims'], B0['depths'],
                                      B0['mlp_ratios'], B0['sr_ratios'])
    expected.pop('head.weight')
    expected.pop('head.bias')
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == dict(expected)


@pytest.mark.parametrize('wrap', [None, 'model', 'state_dict'])
def test_init_cfg_loads_official_checkpoint(tmp_path, wrap):
    torch.manual_seed(0)
    official = OrderedDict(
        (k, torch.randn(s)) for k, s in official_pvt_v2_shapes(
            B0['embed_dims'], B0['depths'], B0['mlp_ratios'],
            B0['sr_ratios']).items())
    path = tmp_path / 'pvt_v2_b0.pth'
    torch.save(official if wrap is None else {wrap: official}, path)
    model = PyramidVisionTransformerV2(
        arch='b0', init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    model.init_weights()
    state = model.state_dict()
    assert len(state) == len(official) - 2  # all but head.weight/bias
    for key, value in state.items():
        assert torch.equal(value, official[key]), key


def test_init_cfg_prefix(tmp_path):
    model = PyramidVisionTransformerV2(arch='b0', depths=(1, 1, 1, 1))
    path = tmp_path / 'segmentor.pth'
    torch.save({'state_dict': {f'backbone.{k}': v + 1
                               for k, v in model.state_dict().items()}},
               path)
    loaded = PyramidVisionTransformerV2(
        arch='b0',
        depths=(1, 1, 1, 1),
        init_cfg=dict(
            type='Pretrained', checkpoint=str(path), prefix='backbone.'))
    loaded.init_weights()
    for key, value in loaded.state_dict().items():
        assert torch.equal(value, model.state_dict()[key] + 1), key


def test_init_cfg_reports_mismatched_checkpoint(tmp_path):
    official = {
        k: torch.zeros(s)
        for k, s in official_pvt_v2_shapes(B0['embed_dims'], B0['depths'],
                                           B0['mlp_ratios'],
                                           B0['sr_ratios']).items()
    }
    official.pop('block2.1.attn.sr.weight')
    official['block5.0.norm1.weight'] = torch.zeros(8)
    path = tmp_path / 'pvt_v2_b0_broken.pth'
    torch.save(official, path)
    model = PyramidVisionTransformerV2(
        arch='b0', init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(ValueError) as err:
        model.init_weights()
    msg = str(err.value)
    assert 'pvt_v2_b0_broken.pth' in msg
    assert '1 keys [block2.1.attn.sr.weight] missing' in msg
    assert '1 keys [block5.0.norm1.weight] unexpected' in msg


def test_official_initialisation_and_norm_eps():
    torch.manual_seed(0)
    model = PyramidVisionTransformerV2(arch='b0')
    model.init_weights()
    block = model.block1[0]
    # LayerNorm eps: 1e-6 in blocks and stage norms, 1e-5 elsewhere
    assert block.norm1.eps == block.norm2.eps == model.norm4.eps == 1e-6
    assert model.patch_embed1.norm.eps == block.attn.norm.eps == 1e-5
    fc1 = model.block4[1].mlp.fc1.weight  # (2048, 256)
    assert abs(fc1.std().item() - 0.02) < 1e-3
    conv = model.patch_embed1.proj.weight  # fan_out = 7 * 7 * 32
    assert abs(conv.std().item() - math.sqrt(2 / (7 * 7 * 32))) < 0.005
    dw = model.block1[0].mlp.dwconv.dwconv.weight  # fan_out 9 * 256 / 256
    assert abs(dw.std().item() - math.sqrt(2 / 9)) < 0.05
    assert all(
        m.bias.abs().sum() == 0 for m in model.modules()
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)))


def test_drop_path_rates_increase_linearly():
    model = PyramidVisionTransformerV2(arch='b0', drop_path_rate=0.7)
    rates = [
        getattr(b.drop_path, 'drop_prob', 0.)
        for i in range(1, 5) for b in getattr(model, f'block{i}')
    ]
    assert rates == pytest.approx([0.1 * i for i in range(8)])


def naive_attention(attn, x, hw, num_heads, sr_ratio):
    """The official spatial-reduction attention, one head at a time."""
    n, length, c = x.shape
    q = F.linear(x, attn.q.weight, attn.q.bias)
    kv_in = x
    if sr_ratio > 1:
        grid = x.transpose(1, 2).reshape(n, c, *hw)
        grid = F.conv2d(grid, attn.sr.weight, attn.sr.bias, stride=sr_ratio)
        kv_in = F.layer_norm(
            grid.flatten(2).transpose(1, 2), (c, ), attn.norm.weight,
            attn.norm.bias, 1e-5)
    kv = F.linear(kv_in, attn.kv.weight, attn.kv.bias)
    k, v = kv[..., :c], kv[..., c:]
    d = c // num_heads
    heads = []
    for h in range(num_heads):
        sl = slice(h * d, (h + 1) * d)
        scores = q[..., sl] @ k[..., sl].transpose(1, 2) / math.sqrt(d)
        heads.append(scores.softmax(-1) @ v[..., sl])
    return F.linear(torch.cat(heads, -1), attn.proj.weight, attn.proj.bias)


@pytest.mark.parametrize('stage', [1, 3, 4])
def test_block_matches_naive_official_formula(stage):
    torch.manual_seed(0)
    model = PyramidVisionTransformerV2(arch='b0', drop_path_rate=0.)
    model.init_weights()
    block = getattr(model, f'block{stage}')[0]
    for p in block.parameters():  # non-trivial norms and biases too
        p.data.normal_(0, 0.2)
    c = B0['embed_dims'][stage - 1]
    hw = (4, 6) if stage > 1 else (16, 8)
    x = torch.randn(2, hw[0] * hw[1], c)
    heads, sr = B0['num_heads'][stage - 1], B0['sr_ratios'][stage - 1]

    y = x + naive_attention(block.attn,
                            F.layer_norm(x, (c, ), block.norm1.weight,
                                         block.norm1.bias, 1e-6), hw, heads,
                            sr)
    h = F.layer_norm(y, (c, ), block.norm2.weight, block.norm2.bias, 1e-6)
    h = F.linear(h, block.mlp.fc1.weight, block.mlp.fc1.bias)
    grid = h.transpose(1, 2).reshape(2, -1, *hw)
    dw = block.mlp.dwconv.dwconv
    grid = F.conv2d(grid, dw.weight, dw.bias, padding=1, groups=grid.shape[1])
    h = F.gelu(grid.flatten(2).transpose(1, 2))
    expected = y + F.linear(h, block.mlp.fc2.weight, block.mlp.fc2.bias)

    torch.testing.assert_close(block(x, hw), expected, rtol=1e-4, atol=1e-4)


def test_linear_variant():
    model = PyramidVisionTransformerV2(
        arch='b0', linear=True, depths=(1, 1, 1, 1))
    attn = model.block4[0].attn
    assert tuple(attn.sr.weight.shape) == (256, 256, 1, 1)
    assert isinstance(attn.pool, torch.nn.AdaptiveAvgPool2d)
    assert isinstance(model.block4[0].mlp.relu, torch.nn.ReLU)
    outs = model(torch.randn(1, 3, 64, 64))
    assert outs[0].shape == (1, 32, 16, 16)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"unknown arch 'b6'.*'b0'"):
        PyramidVisionTransformerV2(arch='b6')
    with pytest.raises(ValueError, match='num_heads has 3 entries'):
        PyramidVisionTransformerV2(arch='b0', num_heads=(1, 2, 4))
    with pytest.raises(ValueError, match='out_indices'):
        PyramidVisionTransformerV2(arch='b0', out_indices=(4, ))
    with pytest.raises(ValueError, match='not divisible'):
        PyramidVisionTransformerV2(arch='b0', num_heads=(1, 2, 3, 8))
