# Copyright (c) mmavs contributors. All rights reserved.
import os.path as osp

import pytest
import torch

from mmavs.models.audio_backbones import VGGish

DATA = osp.join(osp.dirname(__file__), '..', '..', 'data')


def read_reference_shapes(name):
    shapes = {}
    with open(osp.join(DATA, name)) as f:
        for line in f:
            key, shape = line.rstrip('\n').split('\t')
            shapes[key] = tuple(int(s) for s in shape.strip('()').split(',')
                                if s.strip())
    return shapes


def test_state_dict_matches_pytorch_vggish_release():
    model = VGGish()
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == read_reference_shapes('torchvggish-state-dict.tsv')


def test_forward_shape_and_frozen():
    model = VGGish(
        conv_channels=(4, 'M', 8, 'M', 8, 'M', 8, 'M'), fc_channels=(16, 12))
    assert all(not p.requires_grad for p in model.parameters())
    model.train()
    assert not model.training  # a frozen backbone stays in eval mode
    out = model(torch.randn(3, 1, 96, 64))
    assert out.shape == (3, 12)
    assert (out >= 0).all()  # ReLU after the last FC, as the release
    assert not out.requires_grad


def test_trainable_when_not_frozen():
    model = VGGish(
        conv_channels=(4, 'M'), fc_channels=(6, ), frozen=False).train()
    assert model.training
    model(torch.randn(2, 1, 96, 64)).sum().backward()
    assert model.features[0].weight.grad is not None


def test_flatten_is_channel_last():
    """Features (C=2, H=1, W=2) = [[a, b]], [[2a, 2b]] flatten to
    [a, 2a, b, 2b] (H, W, C order), not [a, b, 2a, 2b]."""
    model = VGGish(conv_channels=(2, ), fc_channels=(4, ), in_shape=(1, 2))
    with torch.no_grad():
        conv = model.features[0]
        conv.weight.zero_()
        conv.weight[0, 0, 1, 1] = 1.
        conv.weight[1, 0, 1, 1] = 2.
        conv.bias.zero_()
        fc = model.embeddings[0]
        fc.weight.copy_(torch.eye(4))
        fc.bias.zero_()
    out = model(torch.tensor([[[[3., 5.]]]]))
    assert out.tolist() == [[3., 6., 5., 10.]]


def test_pca_postprocess_quantises():
    model = VGGish(
        conv_channels=(2, ), fc_channels=(3, ), in_shape=(1, 1),
        postprocess=True)
    assert set(k for k in model.state_dict() if k.startswith('pproc')) == {
        'pproc.pca_eigen_vectors', 'pproc.pca_means'
    }
    # identity PCA: clip to [-2, 2] then round((x + 2) * 255 / 4)
    x = torch.tensor([[0., 3., -1.]])
    assert model.pproc(x).tolist() == [[128., 255., 64.]]


def test_bad_input_shape():
    with pytest.raises(ValueError, match=r'\(N, 1, 96, 64\)'):
        VGGish()(torch.randn(2, 96, 64))


def test_optional_norm_layers():
    model = VGGish(
        conv_channels=(4, 'M'), fc_channels=(6, ), norm_cfg=dict(type='BN'),
        frozen=False)
    assert isinstance(model.features[1], torch.nn.BatchNorm2d)
    assert model(torch.randn(2, 1, 96, 64)).shape == (2, 6)
    # the release layout has no norm layers
    assert not any(
        isinstance(m, torch.nn.BatchNorm2d) for m in VGGish().modules())


def test_init_cfg_loads_release_state_dict(tmp_path):
    """A state dict in the torchvggish release layout loads via init_cfg."""
    torch.manual_seed(0)
    shapes = read_reference_shapes('torchvggish-state-dict.tsv')
    release = {k: torch.randn(s) for k, s in shapes.items()}
    path = tmp_path / 'vggish-10086976.pth'
    torch.save(release, path)
    model = VGGish(init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    model.init_weights()
    for key, value in model.state_dict().items():
        assert torch.equal(value, release[key]), key
