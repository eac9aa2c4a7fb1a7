# Copyright (c) mmavs contributors. All rights reserved.
from typing import Optional

import torch.nn as nn
from torch import Tensor

from mmavs.registry import MODELS


@MODELS.register_module()
class FrameDiceLoss(nn.Module):
    """Dice loss of binary masks, frame by frame (AVSegFormer's Dice).

    As the released ``F1_Dice_loss`` / ``F5_Dice_loss`` of AVSegFormer: per
    frame, ``p = sigmoid(logit)`` and the binary target ``g`` flattened over
    the pixels,

    ``loss = 1 - 2 sum(p g) / (sum(p^2) + eps + sum(g^2) + eps)``

    (``eps`` added to each square sum), averaged over the frames. Frames
    whose pixels are all ``ignore_index`` (unlabelled frames, e.g. frames 2-5
    of an S4 training clip) are left out, which is the release's "labelled
    frames only"; ignored pixels of a labelled frame are left out of the
    sums. mmseg's ``DiceLoss`` has the same per-frame formula but no
    unlabelled frames: it clamps a label of 255 to 1, so an unlabelled frame
    would count as all foreground.

    Args:
        eps (float): Added to each square sum. Defaults to 1e-3.
        loss_weight (float): Weight of the loss. Defaults to 1.0.
        loss_name (str): Name in the loss dict. Defaults to 'loss_dice'.
    """

    def __init__(self,
                 eps: float = 1e-3,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_dice') -> None:
        super().__init__()
        self.eps = eps
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        """Key of the loss in the loss dict (mmseg convention)."""
        return self._loss_name

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                ignore_index: int = 255) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Logits of shape (N, 1, H, W).
            target (Tensor): Binary labels of shape (N, H, W), ``ignore_index``
                where unlabelled.
            weight (Tensor, optional): Must be None (no pixel weights); the
                argument exists because mmseg heads pass it.
            ignore_index (int): Label of unlabelled pixels. Defaults to 255.

        Returns:
            Tensor: The weighted loss; 0 (with a gradient path) when no
            frame is labelled.
        """
        if weight is not None:
            raise ValueError('FrameDiceLoss takes no pixel weights')
        if pred.dim() != 4 or pred.shape[1] != 1 or \
                pred.shape[-2:] != target.shape[-2:] or \
                target.shape[0] != pred.shape[0]:
            raise ValueError('FrameDiceLoss expects logits (N, 1, H, W) and '
                             f'labels (N, H, W), got {tuple(pred.shape)} and '
                             f'{tuple(target.shape)}')
        valid = (target != ignore_index).flatten(1)
        labelled = valid.any(1)
        if not labelled.any():
            return pred.sum() * 0
        prob = pred.sigmoid().flatten(1)[labelled] * valid[labelled]
        gt = (target.flatten(1)[labelled] * valid[labelled]).to(prob.dtype)
        inter = (prob * gt).sum(1)
        denom = (prob * prob).sum(1) + self.eps + (gt * gt).sum(1) + self.eps
        return self.loss_weight * (1 - 2 * inter / denom).mean()
