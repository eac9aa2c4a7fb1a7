# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch
import torch.nn.functional as F

from mmavs.models.necks import MultiLevelASPP


def test_sum_of_dilated_convs():
    torch.manual_seed(0)
    neck = MultiLevelASPP(in_channels=[3, 5], out_channels=4)
    feats = [torch.randn(2, 3, 20, 20), torch.randn(2, 5, 10, 10)]
    outs = neck(feats)
    assert [o.shape for o in outs] == [(2, 4, 20, 20), (2, 4, 10, 10)]
    for level, (x, out) in enumerate(zip(feats, outs)):
        expected = 0
        for conv, d in zip(neck.convs[level].conv2d_list, (3, 6, 12, 18)):
            expected = expected + F.conv2d(
                x, conv.weight, conv.bias, padding=d, dilation=d)
        assert torch.allclose(out, expected, atol=1e-6)


def test_official_initialisation_and_names():
    torch.manual_seed(0)
    neck = MultiLevelASPP(in_channels=[256], out_channels=256)
    weight = neck.convs[0].conv2d_list[0].weight
    assert abs(weight.std().item() - 0.01) < 5e-4
    assert set(neck.convs[0].state_dict()) == {
        f'conv2d_list.{i}.{p}'
        for i in range(4) for p in ('weight', 'bias')
    }


def test_wrong_level_count():
    with pytest.raises(ValueError, match='expects 2 levels'):
        MultiLevelASPP(in_channels=[3, 5])([torch.randn(1, 3, 4, 4)])
