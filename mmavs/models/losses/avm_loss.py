# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmavs.registry import MODELS

# added to a feature's distance to itself when looking for its nearest
# audio partner, as in the official code (distances of normalised features
# are at most 2, so this always excludes self when ``norm_feats``)
SELF_DISTANCE_PENALTY = 10.
# added to the pixel count of a thresholded mask, as in the official code
THRESHOLD_EPS = 1e-6


@MODELS.register_module()
class AVMLoss(nn.Module):
    """Audio-visual matching loss L_AVM.

    Eq. (3) of `Audio-Visual Segmentation <https://arxiv.org/abs/2207.05042>`_
    (Table 6), computed as the official ``A_MaskedV_SimmLoss`` (``'av'``) and
    ``closer_loss`` (``'vv'``). At each stage i, the prediction logits are
    pooled (adaptive average or max) to the stage size, then passed through
    sigmoid (pooling comes first in the official code) to give ``M_i``, and
    the masked visual feature is ``v_i = mean_hw(M_i * Z_i)`` of shape
    (B*T, C_i), ``Z_i`` being the fused level:

    - ``'av'`` (L_AVM-AV): ``KL(softmax(a_i) || softmax(v_i))`` with
      ``a_i`` the audio projected to the stage's channels (TPAVI's
      ``Linear(128, C)``, ``aux['audio_proj'][i]``).
    - ``'vv'`` (L_AVM-VV): each frame of the batch takes as partner the
      frame (any clip of the batch) whose ``a_i`` is nearest in L2, itself
      excluded; ``KL(softmax(v_partner) || softmax(v_i))``.

    KL uses ``reduction='sum'`` over frames and channels; the stage losses
    are averaged and multiplied by ``loss_weight`` (the paper's lambda).
    Nothing is detached: the gradient reaches the prediction, the fused
    features and the audio projection (through ``v_partner`` too in
    ``'vv'``). The released MS3 script trains with stages 0-3,
    ``loss_weight=0.5``, KL, average pooling, no threshold and no
    normalisation (``--norm_fea_flag`` is not passed), the defaults here.

    The released AVSBench-Semantics script (``avs_scripts/avss``, 71-class
    logits) computes ``M_i`` as the pooled hard foreground of the prediction,
    ``argmax != background`` (``mask_source='foreground'``, no gradient
    through the mask), and averages the per-frame losses over the labelled
    frames of the batch (``gt_temporal_mask_flag``,
    ``reduction='labelled_mean'``; a batch without one gives 0).

    The official decoder's in-place ReLU (``ResidualConvUnit``) rewrites the
    fused maps before the official loss reads them, so the official loss
    sees ``relu(Z_i)``. :class:`AVSBenchHead` avoids that side effect;
    ``visual_relu=True`` applies the ReLU here to give the official value.

    Args:
        mode (str): ``'av'`` or ``'vv'``. Defaults to ``'av'``.
        stages (Sequence[int]): Fused levels to match. Every one needs an
            audio projection from the fusion. Defaults to (0, 1, 2, 3).
        loss_weight (float): Weight of the loss. Defaults to 0.5.
        mask_pooling (str): ``'avg'`` or ``'max'`` pooling of the logits to
            each stage (official ``mask_pooling_type``). Defaults to
            ``'avg'``.
        threshold (bool): Binarise ``M_i`` at 0.5 and average ``M_i * Z_i``
            over the mask's pixels (official ``threshold_flag``; ``'av'``
            only). Defaults to False.
        norm_feats (bool): L2-normalise the audio and masked visual features
            (official ``norm_fea_flag``). Defaults to False.
        distance (str): ``'kl'`` or ``'euclidean'`` (the mean L2 distance,
            official ``euclidean_flag``). Defaults to ``'kl'``.
        visual_relu (bool): Apply ReLU to the fused maps first (see above).
            Defaults to True.
        mask_source (str): ``'sigmoid'`` (binary logits) or
            ``'foreground'`` (multi-class logits, see above). Defaults to
            ``'sigmoid'``.
        background_index (int): Background class of ``'foreground'``.
            Defaults to 0.
        reduction (str): ``'sum'`` (KL summed, L2 distance averaged over
            all frames) or ``'labelled_mean'`` (per-frame losses averaged
            over the frames whose sample has ``labelled=True``). Defaults to
            ``'sum'``.
        loss_name (str, optional): Key of the loss. Defaults to
            ``'loss_avm_<mode>'``.
    """

    def __init__(self,
                 mode: str = 'av',
                 stages: Sequence[int] = (0, 1, 2, 3),
                 loss_weight: float = 0.5,
                 mask_pooling: str = 'avg',
                 threshold: bool = False,
                 norm_feats: bool = False,
                 distance: str = 'kl',
                 visual_relu: bool = True,
                 mask_source: str = 'sigmoid',
                 background_index: int = 0,
                 reduction: str = 'sum',
                 loss_name: Optional[str] = None) -> None:
        super().__init__()
        for arg, value, options in (
            ('mode', mode, ('av', 'vv')),
            ('mask_pooling', mask_pooling, ('avg', 'max')),
            ('distance', distance, ('kl', 'euclidean')),
            ('mask_source', mask_source, ('sigmoid', 'foreground')),
            ('reduction', reduction, ('sum', 'labelled_mean')),
        ):
            if value not in options:
                raise ValueError(f'AVMLoss: {arg} must be one of {options}, '
                                 f'got {value!r}')
        self.stages = tuple(stages)
        if not self.stages or len(set(self.stages)) != len(self.stages):
            raise ValueError('AVMLoss: stages must be non-empty and unique, '
                             f'got {self.stages}')
        if threshold and mode != 'av':
            raise ValueError("AVMLoss: threshold is for mode='av' only (the "
                             'official closer_loss has no threshold)')
        self.mode = mode
        self.loss_weight = loss_weight
        self.mask_pooling = mask_pooling
        self.threshold = threshold
        self.norm_feats = norm_feats
        self.distance = distance
        self.visual_relu = visual_relu
        self.mask_source = mask_source
        self.background_index = background_index
        self.reduction = reduction
        self._loss_name = loss_name or f'loss_avm_{mode}'
        if not self._loss_name.startswith('loss_'):
            raise ValueError('AVMLoss: loss_name must start with "loss_", '
                             f'got {self._loss_name!r}')

    @property
    def loss_name(self) -> str:
        """Key of the loss in the segmentor's loss dict."""
        return self._loss_name

    def forward(self, ctx: dict) -> Tensor:
        """Compute the weighted loss.

        Args:
            ctx (dict): The segmentor's context (see
                :class:`AudioVisualSegmentor`); reads ``seg_logits``
                (B*T, 1 or K, h, w), ``fused`` (levels (B*T, C_i, H_i,
                W_i)), ``aux['audio_proj']`` ({stage: (B*T, C_i)}) and, for
                ``'labelled_mean'``, ``data_samples``.

        Returns:
            Tensor: Scalar loss.
        """
        logits, fused = ctx['seg_logits'], ctx['fused']
        binary = self.mask_source == 'sigmoid'
        if logits.dim() != 4 or (logits.shape[1] == 1) != binary:
            raise ValueError(
                f'AVMLoss with mask_source={self.mask_source!r} needs '
                f"{'binary' if binary else 'multi-class'} logits of shape "
                f"(N, {'1' if binary else 'K > 1'}, h, w), got "
                f'{tuple(logits.shape)}')
        weights = None
        if self.reduction == 'labelled_mean':
            weights = logits.new_tensor([
                bool(s.metainfo.get('labelled')) for s in ctx['data_samples']
            ])
        audio_proj: Dict[int, Tensor] = ctx['aux'].get('audio_proj', {})
        total = 0.
        for stage in self.stages:
            if stage >= len(fused):
                raise ValueError(f'AVMLoss: stage {stage} out of range for '
                                 f'{len(fused)} fused levels')
            if stage not in audio_proj:
                raise ValueError(
                    f'AVMLoss: the fusion gives no audio projection at stage '
                    f'{stage} (it has {sorted(audio_proj)}); fuse audio at '
                    f'every stage in {self.stages}')
            total = total + self.stage_loss(logits, fused[stage],
                                            audio_proj[stage], weights)
        return self.loss_weight * total / len(self.stages)

    def stage_loss(self,
                   logits: Tensor,
                   feat: Tensor,
                   audio: Tensor,
                   weights: Optional[Tensor] = None) -> Tensor:
        """Unweighted loss of one stage.

        Args:
            logits (Tensor): Prediction logits of shape (N, 1 or K, h, w).
            feat (Tensor): Fused visual level of shape (N, C, H, W).
            audio (Tensor): Audio projection of shape (N, C).
            weights (Tensor, optional): 1 for the labelled frames, shape
                (N, ); required by ``'labelled_mean'``.

        Returns:
            Tensor: Scalar loss.
        """
        if audio.shape != feat.shape[:2] or logits.shape[0] != feat.shape[0]:
            raise ValueError(
                f'AVMLoss: audio {tuple(audio.shape)}, features '
                f'{tuple(feat.shape)} and logits {tuple(logits.shape)} do '
                'not match in frames and channels')
        visual = self.masked_visual(logits, feat)
        if self.norm_feats:
            audio = F.normalize(audio, dim=-1)
            visual = F.normalize(visual, dim=-1)
        if self.mode == 'av':
            return self.divergence(visual, audio, weights)
        dist = torch.cdist(audio, audio)
        dist = dist + SELF_DISTANCE_PENALTY * torch.eye(
            len(dist), device=dist.device)
        return self.divergence(visual, visual[dist.argmin(dim=0)], weights)

    def masked_visual(self, logits: Tensor, feat: Tensor) -> Tensor:
        """``mean_hw(M_i * Z_i)``: (N, 1, h, w), (N, C, H, W) -> (N, C)."""
        size = feat.shape[-2:]
        if self.mask_source == 'foreground':
            logits = (logits.argmax(1, keepdim=True) !=
                      self.background_index).to(feat.dtype)
        if self.mask_pooling == 'avg':
            mask = F.adaptive_avg_pool2d(logits, size)
        else:
            mask = F.adaptive_max_pool2d(logits, size)
        if self.mask_source == 'sigmoid':
            mask = mask.sigmoid()
        if self.visual_relu:
            feat = F.relu(feat)
        if not self.threshold:
            return (feat * mask).mean((2, 3))
        mask = (mask > 0.5).to(feat.dtype)
        return (feat * mask).sum((2, 3)) / (mask.sum((2, 3)) + THRESHOLD_EPS)

    def divergence(self,
                   pred: Tensor,
                   target: Tensor,
                   weights: Optional[Tensor] = None) -> Tensor:
        """KL(softmax(target) || softmax(pred)) or the L2 distance of each
        frame, reduced by ``reduction`` (``weights`` (N, ) for
        ``'labelled_mean'``): (N, C), (N, C) -> scalar."""
        if self.distance == 'kl':
            per_frame = F.kl_div(
                F.log_softmax(pred, dim=-1),
                F.softmax(target, dim=-1),
                reduction='none').sum(-1)
        else:
            per_frame = F.pairwise_distance(target, pred)
        if self.reduction == 'labelled_mean':
            if weights is None or len(weights) != len(per_frame):
                raise ValueError(
                    "AVMLoss: reduction='labelled_mean' needs one labelled "
                    f'flag per frame ({len(per_frame)} frames)')
            return (per_frame * weights).sum() / weights.sum().clamp(min=1)
        if self.distance == 'kl':
            return per_frame.sum()
        return per_frame.mean()
