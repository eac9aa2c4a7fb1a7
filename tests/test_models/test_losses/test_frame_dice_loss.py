# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch
from mmseg.models.losses import DiceLoss

from mmavs.models.losses import FrameDiceLoss


def test_hand_computed_value():
    # logits 0 -> p = 0.5 everywhere; frame 0 has 2 of 4 pixels foreground:
    # sum(p g) = 1, sum(p^2) = 1, sum(g^2) = 2 -> 1 - 2 / (3 + 0.002)
    # frame 1 is empty: 1 - 0 / (1 + 0 + 0.002) = 1
    pred = torch.zeros(2, 1, 2, 2)
    target = torch.tensor([[[1, 0], [0, 1]], [[0, 0], [0, 0]]])
    loss = FrameDiceLoss()(pred, target)
    expected = ((1 - 2 / 3.002) + 1) / 2
    assert loss.item() == pytest.approx(expected, abs=1e-6)
    assert FrameDiceLoss(loss_weight=0.1)(pred, target).item() == \
        pytest.approx(0.1 * expected, abs=1e-7)


def test_unlabelled_frames_and_pixels_are_left_out():
    pred = torch.randn(3, 1, 4, 4)
    target = torch.randint(0, 2, (3, 4, 4))
    loss = FrameDiceLoss()
    labelled = loss(pred[:1], target[:1])
    target[1:] = 255  # S4: frames 2-5 carry no mask
    assert loss(pred, target).item() == pytest.approx(labelled.item())
    # an ignored pixel counts neither in p nor in g
    partial = target[:1].clone()
    partial[0, 0, 0] = 255
    p = pred[:1].sigmoid().flatten()[1:]
    g = target[0].flatten()[1:].float()
    manual = 1 - 2 * (p * g).sum() / ((p * p).sum() + (g * g).sum() + 2e-3)
    assert loss(pred[:1], partial).item() == pytest.approx(manual.item())
    # no labelled frame: zero, but still a graph to backpropagate
    pred.requires_grad_(True)
    zero = loss(pred, torch.full((3, 4, 4), 255))
    assert zero.item() == 0 and zero.requires_grad


def test_same_formula_as_mmseg_on_labelled_frames():
    pred = torch.randn(4, 1, 5, 5)
    target = torch.randint(0, 2, (4, 5, 5))
    ours = FrameDiceLoss()(pred, target)
    mmseg = DiceLoss(use_sigmoid=True, eps=1e-3, ignore_index=None)(
        pred, target[:, None])
    assert ours.item() == pytest.approx(mmseg.item(), abs=1e-6)


def test_bad_inputs():
    loss = FrameDiceLoss()
    with pytest.raises(ValueError, match='logits'):
        loss(torch.zeros(2, 2, 4, 4), torch.zeros(2, 4, 4))
    with pytest.raises(ValueError, match='weights'):
        loss(torch.zeros(2, 1, 4, 4), torch.zeros(2, 4, 4),
             weight=torch.ones(2, 4, 4))
