# Copyright (c) mmavs contributors. All rights reserved.
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from mmavs.registry import HOOKS


@HOOKS.register_module()
class FreezeBackboneHook(Hook):
    """Keep a sub-module's parameters fixed for the first epochs.

    AVSegFormer's training scripts build the model with the visual backbone
    frozen (``requires_grad = False``) and unfreeze it at the start of epoch
    ``freeze_epochs`` (5 for S4, 10 for MS3, 0 for AVSS). As there, only the
    gradients stop: the model stays in train mode, so BatchNorm layers of a
    frozen ResNet still update their running statistics. Before every epoch
    the state is set from the epoch number, so a resumed run gets it right.

    Args:
        freeze_epochs (int): Epochs (0-based count) during which the module
            is frozen. Defaults to 5.
        module (str): Attribute path of the module in the model. Defaults to
            ``'backbone'``.
    """
    priority = 'NORMAL'

    def __init__(self, freeze_epochs: int = 5,
                 module: str = 'backbone') -> None:
        if freeze_epochs < 0:
            raise ValueError(f'FreezeBackboneHook: freeze_epochs must be >= 0'
                             f', got {freeze_epochs}')
        self.freeze_epochs = freeze_epochs
        self.module = module

    def before_train_epoch(self, runner: Runner) -> None:
        """Freeze before epoch ``freeze_epochs``, unfreeze from it on."""
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        target = model
        for name in self.module.split('.'):
            if not hasattr(target, name):
                raise AttributeError(f'FreezeBackboneHook: the model has no '
                                     f'{self.module!r}')
            target = getattr(target, name)
        target.requires_grad_(runner.epoch >= self.freeze_epochs)
