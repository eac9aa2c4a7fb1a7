# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch

from mmavs.models.audio_backbones import ResNetAudio


def test_shapes_channels_and_projection():
    torch.manual_seed(0)
    stereo = ResNetAudio(in_channels=2, out_channels=8).eval()
    x = torch.randn(3, 2, 48, 32)
    assert stereo(x).shape == (3, 8)
    assert stereo.resnet.conv1.in_channels == 2
    plain = ResNetAudio(out_channels=None).eval()
    feat = plain(torch.randn(2, 1, 48, 32))
    assert feat.shape == (2, 512) and plain.embed_dims == 512
    # global max pooling of the last stage (CAVP), not average
    last = plain.resnet(torch.randn(1, 1, 48, 32))[0]
    assert last.shape[1] == 512
    with pytest.raises(ValueError, match=r'\(N, 2, frames, mels\)'):
        stereo(torch.randn(1, 1, 32, 32))
    with pytest.raises(ValueError, match='pooling'):
        ResNetAudio(pooling='sum')


def test_max_pooling_and_gradients():
    torch.manual_seed(0)
    model = ResNetAudio(in_channels=1, out_channels=None).eval()
    x = torch.randn(2, 1, 32, 32)
    with torch.no_grad():
        expected = model.resnet(x)[0].amax(dim=(2, 3))
        torch.testing.assert_close(model(x), expected)
    # every layer, from the spectrogram stem to the projection, is trained
    model = ResNetAudio(out_channels=2).train()
    model(x).sum().backward()
    for name in ('resnet.conv1.weight', 'resnet.layer4.1.conv2.weight',
                 'proj.weight'):
        grad = model.get_parameter(name).grad
        assert grad is not None and grad.abs().sum() > 0, name


def test_pretrained_init_cfg_loads_torchvision_layout(tmp_path):
    """ImageNet weights (torchvision key layout, classifier ``fc`` included)
    reach the inner ResNet; the 3-channel stem does not fit 1 channel and
    stays as initialised."""
    torch.manual_seed(0)
    source = {
        k: torch.randn_like(v) if v.is_floating_point() else v
        for k, v in ResNetAudio(in_channels=3).resnet.state_dict().items()
    }
    source.update({'fc.weight': torch.randn(1000, 512),
                   'fc.bias': torch.randn(1000)})
    assert 'layer1.0.conv1.weight' in source and 'bn1.weight' in source
    path = str(tmp_path / 'resnet18.pth')
    torch.save(source, path)
    model = ResNetAudio(
        in_channels=1, init_cfg=dict(type='Pretrained', checkpoint=path))
    stem = model.resnet.conv1.weight.clone()
    model.init_weights()
    loaded = model.resnet.state_dict()
    assert torch.equal(loaded['layer4.1.conv2.weight'],
                       source['layer4.1.conv2.weight'])
    assert torch.equal(loaded['bn1.running_var'], source['bn1.running_var'])
    assert torch.equal(model.resnet.conv1.weight, stem)
