# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmavs.registry import MODELS
from .cavp_loss import CAVPLoss


def official_info_nce(feats: Tensor, labels: Tensor,
                      temperature: float) -> Tensor:
    """The ``info_nce`` of CAVP's ``ContrastLoss`` (anchors = contrast
    set): positives share the label (self excluded), the others are the
    negatives; ``-mean_a sum_p log(e^{s_ap} / (e^{s_ap} + sum_n e^{s_an}))
    / (|P_a| + 1e-12)`` over all anchors (one without positives adds 0).

    Args:
        feats (Tensor): Samples (S, C), L2-normalised.
        labels (Tensor): Their labels (S, ).
        temperature (float): tau.
    """
    mask = (labels[:, None] == labels[None]).float()
    logits = feats @ feats.t() / temperature
    logits = logits - logits.max(dim=1, keepdim=True)[0].detach()
    neg_sum = (logits.exp() * (1 - mask)).sum(1, keepdim=True)
    mask = mask.fill_diagonal_(0.)
    log_prob = logits - torch.log(logits.exp() + neg_sum)
    return -((mask * log_prob).sum(1) / (mask.sum(1) + 1e-12)).mean()


@MODELS.register_module()
class CAVPContrastLoss(CAVPLoss):
    """The contrastive loss of the released CAVP code.

    ``ContrastLoss`` of ``loss/contrastive_aud.py`` in `cyh-0/CAVP
    <https://github.com/cyh-0/CAVP>`_ with the re-pairing of its trainers:
    the batch's audio features are re-paired by ``torch.randperm`` (and,
    with ``memory_bank``, part of the mismatched pairs get a stored clip of
    the frame's own class, as :class:`CAVPLoss`); the fusion is re-run with
    the re-paired audio. The re-paired pair's labels are the frame's own
    where its audio labels equal the frame's, else all background. On the
    L2-normalised fused features of level ``stage`` (labels resized by
    nearest), the samples are: for each foreground class of the original
    pairs with at least ``max_views`` pixels, ``max_views`` random ones;
    ``k`` random background pixels of the original pairs and ``k`` random
    pixels of the re-paired pairs at the original foreground (with the
    re-paired labels), ``k = min(max_views, both counts)``; then
    :func:`official_info_nce` among them. No class with enough pixels: 0.

    Args:
        stage (int): Fused level (0: the head's fused feature of
            :class:`AudioFusionHead`). Defaults to 0.
        temperature (float): tau. Defaults to 0.1.
        max_views (int): Samples per class. Defaults to 512.
        memory_bank (dict, optional): As :class:`CAVPLoss`.
            Defaults to None.
        ignore_index (int): Unlabelled pixels. Defaults to 255.
        loss_weight (float): Weight (1 for AVSS / VPO, 0.1 in the
            AVSBench-Object trainer). Defaults to 1.0.
        loss_name (str): Key of the loss. Defaults to ``'loss_cavp'``.
    """

    def __init__(self,
                 stage: int = 0,
                 temperature: float = 0.1,
                 max_views: int = 512,
                 memory_bank: Optional[dict] = None,
                 ignore_index: int = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_cavp') -> None:
        super().__init__(
            stage=stage,
            temperature=temperature,
            memory_bank=memory_bank,
            ignore_index=ignore_index,
            loss_weight=loss_weight,
            loss_name=loss_name)
        if not isinstance(max_views, int) or max_views < 1:
            raise ValueError(f'CAVPContrastLoss max_views must be a positive '
                             f'int, got {max_views!r}')
        self.max_views = max_views

    def forward(self, ctx: Dict) -> Tensor:
        """The loss from the segmentor's context (see :class:`CAVPLoss`)."""
        fused = ctx['fused'][self.stage]
        labels = self._pixel_labels(ctx['data_samples'], fused.shape[-2:])
        heard = self._audio_labels(ctx['data_samples'])
        perm = torch.randperm(len(heard), device=fused.device)
        repaired = ctx['audio'][perm]
        pairs = [heard[i] for i in perm.tolist()]
        if self.bank is not None:
            repaired, pairs = self._from_bank(ctx, repaired, heard, pairs)
        shuffled = ctx['fusion'](ctx['visual'], repaired,
                                 ctx['num_frames'])[self.stage]
        match = labels.new_tensor([set(p) == set(h)
                                   for p, h in zip(pairs, heard)])
        loss = self.contrast(fused, labels, shuffled, labels * match[:, None])
        return self.loss_weight * loss

    def contrast(self, feats: Tensor, labels: Tensor, shuffled: Tensor,
                 shuffled_labels: Tensor) -> Tensor:
        """``ContrastLoss.forward`` on resized labels.

        Args:
            feats (Tensor): Fused features of the pairs (N, C, h, w).
            labels (Tensor): Their labels (N, h*w).
            shuffled (Tensor): Fused features of the re-paired pairs.
            shuffled_labels (Tensor): Their labels (N, h*w).
        """
        feats = F.normalize(feats, dim=1).flatten(2).transpose(1, 2)
        shuffled = F.normalize(shuffled, dim=1).flatten(2).transpose(1, 2)
        fg = (labels > 0) & (labels != self.ignore_index)
        fg_feats, fg_labels = feats[fg], labels[fg]
        chosen = []
        for c in torch.unique(fg_labels):
            idx = (fg_labels == c).nonzero().squeeze(1)
            if len(idx) < self.max_views:
                continue
            chosen.append(idx[torch.randperm(len(idx))][:self.max_views])
        if not chosen:
            return feats.sum() * 0
        chosen = torch.cat(chosen)
        bg = labels == 0
        bg_feats, bg_labels = feats[bg], labels[bg]
        sh_feats, sh_labels = shuffled[fg], shuffled_labels[fg]
        num = min(self.max_views, len(sh_feats), len(bg_feats))
        bg_idx = torch.randperm(len(bg_feats))[:num]
        sh_idx = torch.randperm(len(sh_feats))[:num]
        samples = torch.cat(
            [fg_feats[chosen], bg_feats[bg_idx], sh_feats[sh_idx]])
        sample_labels = torch.cat(
            [fg_labels[chosen], bg_labels[bg_idx], sh_labels[sh_idx]])
        return official_info_nce(samples, sample_labels, self.temperature)
