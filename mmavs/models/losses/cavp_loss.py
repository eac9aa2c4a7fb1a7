# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmseg.structures import SegDataSample
from torch import Tensor

from mmavs.registry import MODELS
from .audio_bank import ClassAudioBank

# anchor-set codes returned by :func:`cavp_anchor_sets`
BACKGROUND, FOREGROUND, EXCLUDED = 0, 1, -1


def cavp_anchor_sets(pixel_labels: Tensor,
                     audio_labels: Sequence[Sequence[int]],
                     own_labels: Sequence[Sequence[int]],
                     background_index: int = 0,
                     ignore_index: int = 255) -> Tensor:
    """Eq. (2) of CAVP: the anchor set of every pixel of every pair.

    With ``t`` the audio labels of the pair, ``t_own`` those of the image's
    own audio (silent audio, an empty set, counts as ``{bg}``) and ``y`` the
    pixel label:

    - ``E_fg`` (:data:`FOREGROUND`): ``y`` in ``t`` and ``y != bg``;
    - ``E_unknown`` (:data:`EXCLUDED`): ``y == bg`` in a pair whose audio is
      not the image's own (``t != t_own``): the background may hide an
      unlabelled object of the heard class (Eq. 2's ``t_j != y_j``, read as
      the official code does); ignored pixels are excluded too;
    - ``E_bg`` (:data:`BACKGROUND`): all the rest: silent objects (``y`` not
      in ``t``, ``y != bg``, e.g. a dog heard with a cat's sound) and the
      background of pairs that hear the image's own sounds.

    Args:
        pixel_labels (Tensor): Labels of shape (N, P), N pairs of P pixels.
        audio_labels (Sequence[Sequence[int]]): The audio classes of each
            pair, background excluded.
        own_labels (Sequence[Sequence[int]]): The audio classes of each
            pair's image (its own audio).
        background_index (int): Background class. Defaults to 0.
        ignore_index (int): Unlabelled pixels. Defaults to 255.

    Returns:
        Tensor: Codes of shape (N, P).
    """
    n = pixel_labels.shape[0]
    if len(audio_labels) != n or len(own_labels) != n:
        raise ValueError(f'{len(audio_labels)} audio and {len(own_labels)} '
                         f'own label sets for {n} pairs')
    heard = torch.stack([
        torch.isin(y, y.new_tensor(list(t) or [background_index]))
        for y, t in zip(pixel_labels, audio_labels)
    ])
    mismatched = pixel_labels.new_tensor(
        [set(t) != set(o) for t, o in zip(audio_labels, own_labels)],
        dtype=torch.bool)[:, None]
    is_bg = pixel_labels == background_index
    sets = torch.full_like(pixel_labels, BACKGROUND)
    sets[heard & ~is_bg] = FOREGROUND
    sets[(mismatched & is_bg) | (pixel_labels == ignore_index)] = EXCLUDED
    return sets


def cavp_pair_masks(sets: Tensor, pixel_labels: Tensor,
                    audio_ids: Tensor) -> Tuple[Tensor, Tensor]:
    """Eq. (3) of CAVP: positives and negatives of every sampled anchor.

    A foreground anchor's positives share both its audio labels and its
    pixel label; every other sample is a negative (hard: shares one of the
    two, easy: shares neither). A background anchor's positives are the
    other background samples and its negatives the foreground ones.

    Args:
        sets (Tensor): Anchor set (FOREGROUND or BACKGROUND) of S samples.
        pixel_labels (Tensor): Pixel label y of each sample, shape (S, ).
        audio_ids (Tensor): An id per distinct audio label set t, (S, ).

    Returns:
        tuple[Tensor, Tensor]: Boolean positive and negative masks (S, S),
        row = anchor; a sample is never its own positive.
    """
    is_fg = sets == FOREGROUND
    same = (pixel_labels[:, None] == pixel_labels[None]) & \
        (audio_ids[:, None] == audio_ids[None])
    not_self = ~torch.eye(len(sets), dtype=torch.bool, device=sets.device)
    pos = torch.where(is_fg[:, None], same, ~is_fg[None]) & not_self
    neg = torch.where(is_fg[:, None], ~same, is_fg[None].expand_as(same))
    return pos, neg


def cavp_info_nce(feats: Tensor, pos: Tensor, neg: Tensor,
                  temperature: float) -> Tensor:
    """Eq. (4) of CAVP, averaged over the anchors that have a positive.

    ``l(z) = 1/|P| sum_p -log(e^{z.z_p/tau} / (e^{z.z_p/tau} +
    sum_n e^{z.z_n/tau}))``.

    Args:
        feats (Tensor): Samples of shape (S, C), used as given.
        pos (Tensor): Positive mask (S, S), row = anchor.
        neg (Tensor): Negative mask (S, S).
        temperature (float): tau.

    Returns:
        Tensor: Scalar loss (0 with the graph kept when no anchor has a
        positive).
    """
    logits = feats @ feats.t() / temperature
    neg_lse = logits.masked_fill(~neg, float('-inf')).logsumexp(1)
    log_prob = logits - torch.logaddexp(logits, neg_lse[:, None])
    num_pos = pos.sum(1)
    valid = num_pos > 0
    if not valid.any():
        return feats.sum() * 0
    per_anchor = -(log_prob * pos).sum(1)[valid] / num_pos[valid]
    return per_anchor.mean()


@MODELS.register_module()
class CAVPLoss(nn.Module):
    """Contrastive audio-visual pairing loss of CAVP.

    Sec. 4.2 of `Unraveling Instance Associations: A Closer Look for
    Audio-Visual Segmentation <https://arxiv.org/abs/2304.02970>`_: the
    audio features of the batch's frames are randomly re-paired with the
    frames (``torch.randperm``, so seeded by ``torch.manual_seed``), the
    fusion is run on the re-paired batch, and every pixel of the fused
    level ``stage`` becomes a sample ``(z, t, y)``: L2-normalised fused
    feature (Eq. 1 defines ``z`` as the cross-attention output; no
    projection head), the audio labels ``t`` (metainfo ``audio_labels``) and
    the pixel label ``y`` (``gt_sem_seg`` resized to the level, nearest).
    With ``with_original_pairs`` the originally paired batch (the fused
    features the decode head sees) joins the samples, as in the official
    code. Anchor sets follow Eq. (2) (:func:`cavp_anchor_sets`),
    positives/negatives Eq. (3) (:func:`cavp_pair_masks`), the loss Eq. (4)
    (:func:`cavp_info_nce`). At most ``num_samples`` samples are drawn at
    random, ``pos_fraction`` of them from E_fg (audio-visual positives: the
    pixel's class is heard) and the rest from E_bg; either side takes all it
    has when short. The samples are both anchors and contrast set.

    ``mode='supcon'`` is the SupCon row of Table 5: no re-pairing, pixel
    labels only (positives share ``y``), foreground = ``y != bg``.

    ``memory_bank`` turns on the per-class audio bank of appendix B.1
    (:class:`ClassAudioBank`): from epoch ``start_epoch`` on (the runner's
    ``MessageHub`` info ``'epoch'``; the official code starts at epoch 1
    once the bank has filled), part of the mismatched re-paired frames get
    a stored clip of their own class, encoded by the segmentor's
    ``audio_backbone`` (``ctx['audio_inputs']``); every batch's
    single-class frames are then pushed into the bank.

    Args:
        stage (int): Fused level whose features are contrasted. Defaults
            to 3.
        temperature (float): tau of Eq. (4). Defaults to 0.1.
        num_samples (int): Samples (anchors) per batch. Defaults to 1024.
        pos_fraction (float): Share of E_fg in the samples (Table 6).
            Defaults to 0.5.
        mode (str): ``'cavp'`` or ``'supcon'``. Defaults to ``'cavp'``.
        with_original_pairs (bool): Add the original pairs to the
            re-paired ones. Defaults to True.
        memory_bank (dict, optional): ``size`` and ``replace_fraction`` of
            :class:`ClassAudioBank` and ``start_epoch`` (default 1), e.g.
            ``dict(size=16, replace_fraction=0.5, start_epoch=1)``.
            Defaults to None (no bank).
        background_index (int): Background class. Defaults to 0.
        ignore_index (int): Unlabelled pixels. Defaults to 255.
        loss_weight (float): Weight of the loss (1 in Eq. 5). Defaults
            to 1.0.
        loss_name (str): Key of the loss. Defaults to ``'loss_cavp'``.
    """

    def __init__(self,
                 stage: int = 3,
                 temperature: float = 0.1,
                 num_samples: int = 1024,
                 pos_fraction: float = 0.5,
                 mode: str = 'cavp',
                 with_original_pairs: bool = True,
                 memory_bank: Optional[dict] = None,
                 background_index: int = 0,
                 ignore_index: int = 255,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_cavp') -> None:
        super().__init__()
        if mode not in ('cavp', 'supcon'):
            raise ValueError(f"CAVPLoss mode must be 'cavp' or 'supcon', "
                             f'got {mode!r}')
        if not 0 <= pos_fraction <= 1:
            raise ValueError(f'CAVPLoss pos_fraction must be in [0, 1], got '
                             f'{pos_fraction}')
        if not loss_name.startswith('loss_'):
            raise ValueError(f"loss_name must start with 'loss_', got "
                             f'{loss_name!r}')
        self.stage = stage
        self.temperature = temperature
        self.num_samples = num_samples
        self.pos_fraction = pos_fraction
        self.mode = mode
        self.with_original_pairs = with_original_pairs
        if memory_bank and mode == 'supcon':
            raise ValueError('CAVPLoss memory_bank needs the re-pairing of '
                             "mode='cavp'; SupCon does not re-pair")
        bank = dict(memory_bank or {})
        self.bank_start_epoch = bank.pop('start_epoch', 1)
        self.bank = ClassAudioBank(**bank) if memory_bank else None
        self.background_index = background_index
        self.ignore_index = ignore_index
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    @property
    def loss_name(self) -> str:
        """Key of the loss in the segmentor's loss dict."""
        return self._loss_name

    def forward(self, ctx: Dict) -> Tensor:
        """Compute the loss from the segmentor's context (see
        :class:`AudioVisualSegmentor`: ``visual``, ``audio``, ``fused``,
        ``fusion``, ``num_frames``, ``data_samples``)."""
        fused = ctx['fused'][self.stage]  # (N, C, h, w)
        labels = self._pixel_labels(ctx['data_samples'], fused.shape[-2:])
        if self.mode == 'supcon':
            feats, ys = fused, labels
            sets = torch.where(labels == self.background_index, BACKGROUND,
                               FOREGROUND)
            sets[labels == self.ignore_index] = EXCLUDED
            audio_ids = torch.zeros_like(labels)
        else:
            feats, ys, sets, audio_ids = self._pairs(ctx, labels)
        feats = F.normalize(feats.flatten(2).transpose(1, 2), dim=-1)
        idx = self._sample(sets.flatten())
        pos, neg = cavp_pair_masks(sets.flatten()[idx], ys.flatten()[idx],
                                   audio_ids.flatten()[idx])
        samples = feats.flatten(0, 1)[idx]
        loss = cavp_info_nce(samples, pos, neg, self.temperature)
        return self.loss_weight * loss

    def _pairs(self, ctx: Dict,
               labels: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """Fused features (M, C, h, w), pixel labels, anchor sets and audio
        ids (M, h*w) of the re-paired (and original) pairs."""
        audio = ctx['audio']
        heard = self._audio_labels(ctx['data_samples'])
        perm = torch.randperm(audio.shape[0], device=audio.device)
        repaired = audio[perm]
        pairs = [heard[i] for i in perm.tolist()]
        if self.bank is not None:
            repaired, pairs = self._from_bank(ctx, repaired, heard, pairs)
        feats = [
            ctx['fusion'](ctx['visual'], repaired,
                          ctx['num_frames'])[self.stage]
        ]
        if self.with_original_pairs:
            feats.append(ctx['fused'][self.stage])
            pairs += heard
        ys = labels.repeat(len(feats), 1)
        sets = cavp_anchor_sets(ys, pairs, heard * len(feats),
                                self.background_index, self.ignore_index)
        ids = {t: i for i, t in enumerate(sorted(set(pairs)))}
        audio_ids = ys.new_tensor([ids[t] for t in pairs])[:, None]
        return torch.cat(feats), ys, sets, audio_ids.expand_as(ys)

    def _from_bank(self, ctx: Dict, repaired: Tensor, heard: List[tuple],
                   pairs: List[tuple]) -> Tuple[Tensor, List[tuple]]:
        """Replace part of the mismatched re-paired audio (N, D) by stored
        clips of the frames' own class, then update the bank."""
        for key in ('audio_inputs', 'audio_backbone'):
            if ctx.get(key) is None:
                raise KeyError(f'CAVPLoss memory_bank needs ctx[{key!r}] '
                               '(set by AudioVisualSegmentor.loss)')
        epoch = MessageHub.get_current_instance().get_info('epoch') or 0
        if epoch >= self.bank_start_epoch:
            idx, clips = self.bank.draw(heard, pairs)
            if idx:
                clips = clips.to(ctx['audio_inputs'])
                index = torch.tensor(idx, device=repaired.device)
                repaired = repaired.index_put(
                    (index, ), ctx['audio_backbone'](clips))
                pairs = [heard[i] if i in idx else t
                         for i, t in enumerate(pairs)]
        self.bank.push(ctx['audio_inputs'], heard)
        return repaired, pairs

    def _sample(self, sets: Tensor) -> Tensor:
        """Indices of at most ``num_samples`` samples, ``pos_fraction`` of
        them from E_fg."""
        num_fg = round(self.num_samples * self.pos_fraction)
        chosen = []
        for code, num in ((FOREGROUND, num_fg),
                          (BACKGROUND, self.num_samples - num_fg)):
            idx = (sets == code).nonzero().squeeze(1)
            order = torch.randperm(len(idx), device=idx.device)
            chosen.append(idx[order[:num]])
        return torch.cat(chosen)

    def _pixel_labels(self, data_samples: List[SegDataSample],
                      size: Tuple[int, int]) -> Tensor:
        """``gt_sem_seg`` of every frame resized to ``size`` (nearest), as
        (N, h*w)."""
        gt = torch.stack([s.gt_sem_seg.data for s in data_samples]).float()
        gt = F.interpolate(gt, size=tuple(size), mode='nearest')
        return gt.long().flatten(1)

    @staticmethod
    def _audio_labels(data_samples: List[SegDataSample]) -> List[tuple]:
        """The ``audio_labels`` of every frame as sorted tuples."""
        heard = []
        for i, sample in enumerate(data_samples):
            if 'audio_labels' not in sample:
                raise KeyError(
                    f'CAVPLoss: data sample {i} has no "audio_labels" '
                    'metainfo; add ComputeAudioLabels to the pipeline and '
                    '"audio_labels" to PackAVSInputs meta_keys')
            heard.append(tuple(sorted(sample.audio_labels)))
        return heard
