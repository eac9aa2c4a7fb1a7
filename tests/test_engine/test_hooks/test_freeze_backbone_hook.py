# Copyright (c) mmavs contributors. All rights reserved.
from types import SimpleNamespace

import pytest
import torch.nn as nn

from mmavs.engine.hooks import FreezeBackboneHook


def make_runner():
    model = nn.Module()
    model.backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    model.head = nn.Conv2d(4, 1, 1)
    return SimpleNamespace(model=model, epoch=0)


def grads(module):
    return {p.requires_grad for p in module.parameters()}


def test_frozen_for_the_first_epochs_only():
    runner = make_runner()
    hook = FreezeBackboneHook(freeze_epochs=2)
    for epoch, frozen in [(0, True), (1, True), (2, False), (3, False)]:
        runner.epoch = epoch
        hook.before_train_epoch(runner)
        assert grads(runner.model.backbone) == {not frozen}
        assert grads(runner.model.head) == {True}
    # BatchNorm keeps its train mode (the release only stops gradients)
    assert runner.model.backbone[1].training


def test_resume_past_the_freeze_and_zero_epochs():
    runner = make_runner()
    runner.model.backbone.requires_grad_(False)
    runner.epoch = 7  # resumed after the frozen epochs
    FreezeBackboneHook(freeze_epochs=5).before_train_epoch(runner)
    assert grads(runner.model.backbone) == {True}
    runner.epoch = 0
    FreezeBackboneHook(freeze_epochs=0).before_train_epoch(runner)
    assert grads(runner.model.backbone) == {True}


def test_bad_arguments():
    with pytest.raises(ValueError, match='freeze_epochs'):
        FreezeBackboneHook(freeze_epochs=-1)
    with pytest.raises(AttributeError, match='neck'):
        FreezeBackboneHook(module='neck').before_train_epoch(make_runner())
