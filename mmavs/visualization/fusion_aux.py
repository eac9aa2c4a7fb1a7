# Copyright (c) mmavs contributors. All rights reserved.
import inspect
from typing import Optional

import torch.nn as nn
from torch import Tensor


class FusionAuxRecorder:
    """Record the aux outputs of a segmentor's fusion module.

    While active (a context manager), ``model.fusion`` is called with
    ``return_aux=True``; its aux dict is kept in :attr:`aux` and the caller
    still gets the levels only, unless it asked for the aux itself. Fusion
    modules return attention maps as ``aux['attn'][stage]`` of shape
    (B*T, H_s, W_s).

    Args:
        model (nn.Module): A segmentor with a ``fusion`` module, or whose
            decode head has one (:class:`AudioFusionHead`); a wrapped
            model's ``module`` is used.
    """

    def __init__(self, model: nn.Module) -> None:
        model = getattr(model, 'module', model)
        # encoder-level fusion, else one inside the decode head
        fusion = getattr(model, 'fusion', None) or getattr(
            getattr(model, 'decode_head', None), 'fusion', None)
        if fusion is None:
            raise ValueError(f'{type(model).__name__} has no fusion module: '
                             'there is no audio-visual attention to record.')
        if 'return_aux' not in inspect.signature(fusion.forward).parameters:
            raise ValueError(f'{type(fusion).__name__}.forward takes no '
                             'return_aux argument: it cannot report its '
                             'attention maps.')
        self.fusion = fusion
        self.aux: Optional[dict] = None
        self._caller_wants_aux = False
        self._handles = []

    def _pre_hook(self, module: nn.Module, args: tuple,
                  kwargs: dict) -> tuple:
        # return_aux is the 4th positional argument after feats, audio, T
        self._caller_wants_aux = bool(
            args[3] if len(args) > 3 else kwargs.get('return_aux', False))
        return args[:3], dict(kwargs, return_aux=True)

    def _post_hook(self, module: nn.Module, args: tuple, output: tuple):
        levels, self.aux = output
        return output if self._caller_wants_aux else levels

    def attention(self, stage: Optional[int] = None) -> Tensor:
        """Recorded attention of ``stage`` (default: the deepest fused
        stage), shape (B*T, H_s, W_s)."""
        attn = (self.aux or {}).get('attn')
        if not attn:
            raise RuntimeError(f'{type(self.fusion).__name__} recorded no '
                               "aux['attn'] in its last call.")
        return attn[max(attn) if stage is None else stage]

    def __enter__(self) -> 'FusionAuxRecorder':
        self._handles = [
            self.fusion.register_forward_pre_hook(
                self._pre_hook, with_kwargs=True),
            self.fusion.register_forward_hook(self._post_hook)
        ]
        return self

    def __exit__(self, *exc) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
