# Copyright (c) mmavs contributors. All rights reserved.
"""AVSBench metrics: per-frame Jaccard index J and per-clip F-measure F.

Both follow the official AVSBench evaluation code (``mask_iou`` and
``Eval_Fmeasure`` in ``avs_scripts/avs_*/utils/utility.py`` of
`AVSBench <https://github.com/OpenNLPLab/AVSBench>`_) bit for bit: the same
binarisation, the same ``eps`` terms, float32 arithmetic in the same order.
The F-measure is vectorised over its thresholds (pixel counts per threshold
come from one ``bucketize`` + ``bincount`` per clip instead of 255 passes
over the frame); the counts are exact integers, so the result equals the
official loop.

``prob`` arguments are foreground probabilities (``sigmoid`` of the logits,
which the official functions apply themselves), ``gt`` arguments binary masks.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor

__all__ = [
    'mask_jaccard', 'fscore_thresholds', 'threshold_counts',
    'fscore_curves', 'video_fscore_from_counts', 'video_fscore'
]


def _check_pair(prob: Tensor, gt: Tensor, fn: str) -> None:
    """Check that ``prob`` and ``gt`` are equal-shape (N, H, W) tensors and
    that ``gt`` is binary; raise naming ``fn`` otherwise."""
    for name, value in (('prob', prob), ('gt', gt)):
        if not isinstance(value, Tensor):
            raise TypeError(f'{fn}: `{name}` must be a torch.Tensor, '
                            f'got {type(value).__name__}')
        if value.dim() != 3:
            raise ValueError(f'{fn}: `{name}` must have shape (N, H, W), got '
                             f'{tuple(value.shape)}')
    if prob.shape != gt.shape:
        raise ValueError(f'{fn}: `prob` and `gt` must have the same shape, '
                         f'got {tuple(prob.shape)} and {tuple(gt.shape)}')
    if not bool(((gt == 0) | (gt == 1)).all()):
        raise ValueError(f'{fn}: `gt` must be a binary mask of 0 and 1, got '
                         f'values {torch.unique(gt).tolist()}')


def mask_jaccard(prob: Tensor, gt: Tensor, eps: float = 1e-7) -> Tensor:
    """Jaccard index (IoU) of each frame, as the official ``mask_iou``.

    The prediction is ``prob > 0.5``. A frame whose ground truth is empty
    scores the IoU of the background instead: (pixels where both are 0) /
    (all pixels). ``iou = inter / (union + eps)`` in float32 with the official
    ``eps=1e-7``; in float32 the ``eps`` only changes the result when the union
    is 1 pixel (``1 + 1e-7`` rounds to ``1 + 2**-23``, so a perfect one-pixel
    match scores ``1 - 2**-23``); for a union of 2 or more pixels it vanishes.

    Args:
        prob (Tensor): Foreground probabilities with shape (N, H, W).
        gt (Tensor): Binary ground-truth masks (0/1, any dtype) with shape
            (N, H, W).
        eps (float): Added to the union. Defaults to 1e-7 (official).

    Returns:
        Tensor: float32 Jaccard index of every frame, shape (N, ).
    """
    _check_pair(prob, gt, 'mask_jaccard')
    pred = prob > 0.5
    target = gt.bool()
    # pixel counts are exact in float32 below 2**24 pixels per frame
    inter = (pred & target).sum((1, 2)).float()
    union = (pred | target).sum((1, 2)).float()
    no_obj = ~target.any(2).any(1)
    inter_no_obj = (~pred & ~target).sum((1, 2)).float()
    inter = torch.where(no_obj, inter_no_obj, inter)
    num_pixels = union.new_tensor(float(gt.size(1) * gt.size(2)))
    union = torch.where(no_obj, num_pixels, union)
    return inter / (union + eps)


def fscore_thresholds(num_thresholds: int = 255,
                      device: Optional[torch.device] = None) -> Tensor:
    """Thresholds of the official F-measure.

    ``torch.linspace(0, 1 - 1e-10, num_thresholds)`` in float32. In float32
    ``1 - 1e-10`` rounds to exactly 1.0 (as in the official code), so the last
    threshold is 1.0 and a pixel counts there only if its probability is 1.0.

    Args:
        num_thresholds (int): Number of thresholds. Defaults to 255.
        device (torch.device, optional): Device of the result.
            Defaults to None (CPU).

    Returns:
        Tensor: float32 thresholds with shape (num_thresholds, ).
    """
    if num_thresholds < 1:
        raise ValueError('fscore_thresholds: `num_thresholds` must be >= 1, '
                         f'got {num_thresholds}')
    return torch.linspace(
        0, 1 - 1e-10, num_thresholds, dtype=torch.float32, device=device)


def threshold_counts(prob: Tensor,
                     gt: Tensor,
                     num_thresholds: int = 255
                     ) -> Tuple[Tensor, Tensor, Tensor]:
    """Pixel counts of ``prob >= threshold`` for every F-measure threshold.

    For threshold ``t_k`` of :func:`fscore_thresholds` and frame ``i``:
    ``tp[i, k] = sum((prob[i] >= t_k) * gt[i])``,
    ``pred_sum[i, k] = sum(prob[i] >= t_k)`` and ``gt_sum[i] = sum(gt[i])``.
    Each pixel's level (how many thresholds it reaches) is found with
    ``bucketize``; the levels are histogrammed and summed from the top, so no
    loop over thresholds is needed. NaN probabilities reach no threshold, as
    ``nan >= t`` is False in the official loop.

    Args:
        prob (Tensor): Foreground probabilities with shape (T, H, W).
        gt (Tensor): Binary ground-truth masks with shape (T, H, W).
        num_thresholds (int): Number of thresholds. Defaults to 255.

    Returns:
        tuple[Tensor]: int64 CPU tensors ``tp`` (T, num_thresholds),
        ``pred_sum`` (T, num_thresholds) and ``gt_sum`` (T, ).
    """
    _check_pair(prob, gt, 'threshold_counts')
    num_frames = prob.size(0)
    # compare in the dtype the official `prob >= threshold` promotes to
    dtype = torch.promote_types(prob.dtype, torch.float32)
    thresholds = fscore_thresholds(num_thresholds, prob.device).to(dtype)
    values = prob.to(dtype).flatten(1)
    values = values.masked_fill(values.isnan(), float('-inf'))
    # levels[i, p] = number of thresholds <= prob, in [0, num_thresholds]
    levels = torch.bucketize(values, thresholds, right=True)
    num_bins = num_thresholds + 1
    offsets = torch.arange(num_frames, device=prob.device)[:, None] * num_bins
    target = gt.flatten(1).bool()
    pred_hist = torch.bincount(
        (levels + offsets).flatten(), minlength=num_frames * num_bins)
    # non-gt pixels go to level 0, which no threshold counts
    tp_hist = torch.bincount(
        (levels * target + offsets).flatten(),
        minlength=num_frames * num_bins)

    def _at_least(hist: Tensor) -> Tensor:
        # count[:, k] = pixels with level > k, i.e. prob >= thresholds[k]
        hist = hist.cpu().view(num_frames, num_bins)
        return hist.flip(1).cumsum(1).flip(1)[:, 1:]

    gt_sum = target.sum(1).cpu()
    return _at_least(tp_hist), _at_least(pred_hist), gt_sum


def fscore_curves(tp: Tensor,
                  pred_sum: Tensor,
                  gt_sum: Tensor,
                  beta2: float = 0.3) -> Tensor:
    """F-measure of every frame at every threshold, from pixel counts.

    Official float32 arithmetic: ``precision = tp / (pred_sum + 1e-20)``,
    ``recall = tp / (gt_sum + 1e-20)``,
    ``F = (1 + beta2) * precision * recall / (beta2 * precision + recall)``
    and NaN (``0 / 0`` when nothing is predicted or nothing is hit) -> 0.

    Args:
        tp (Tensor): True-positive counts with shape (T, K).
        pred_sum (Tensor): Predicted-pixel counts with shape (T, K).
        gt_sum (Tensor): Ground-truth pixel counts with shape (T, ).
        beta2 (float): beta^2 weighting precision over recall.
            Defaults to 0.3.

    Returns:
        Tensor: float32 F-measure with shape (T, K).
    """
    tp = tp.float()
    precision = tp / (pred_sum.float() + 1e-20)
    recall = tp / (gt_sum.float()[:, None] + 1e-20)
    fscore = (1 + beta2) * precision * recall / (beta2 * precision + recall)
    return fscore.nan_to_num(nan=0.0)


def video_fscore_from_counts(tp: Tensor,
                             pred_sum: Tensor,
                             gt_sum: Tensor,
                             beta2: float = 0.3) -> float:
    """F-measure of a clip from the pixel counts of its frames.

    Frames with an empty ground truth are left out (official); the F curves
    of the others are averaged in frame order and the maximum over thresholds
    is returned. A clip without any non-empty frame scores 0.0 (the official
    code returns the max of an all-zero curve).

    Args:
        tp (Tensor): True-positive counts with shape (T, K), frames in order.
        pred_sum (Tensor): Predicted-pixel counts with shape (T, K).
        gt_sum (Tensor): Ground-truth pixel counts with shape (T, ).
        beta2 (float): beta^2 weighting precision over recall.
            Defaults to 0.3.

    Returns:
        float: The clip's F-measure.
    """
    keep = gt_sum > 0
    if not bool(keep.any()):
        return 0.0
    curves = fscore_curves(tp[keep], pred_sum[keep], gt_sum[keep], beta2)
    # accumulate frame by frame, in float32, as the official running sum
    total = torch.zeros_like(curves[0])
    for curve in curves:
        total = total + curve
    return (total / curves.size(0)).max().item()


def video_fscore(prob: Tensor,
                 gt: Tensor,
                 num_thresholds: int = 255,
                 beta2: float = 0.3) -> float:
    """F-measure of one clip, as the official ``Eval_Fmeasure``.

    Every frame is thresholded with ``prob >= t`` at the thresholds of
    :func:`fscore_thresholds`; frames with an empty ground truth are skipped;
    the F curves of the other frames are averaged and the maximum over
    thresholds is the clip's score (0.0 if no frame has a foreground).

    Args:
        prob (Tensor): Foreground probabilities with shape (T, H, W).
        gt (Tensor): Binary ground-truth masks with shape (T, H, W).
        num_thresholds (int): Number of thresholds. Defaults to 255.
        beta2 (float): beta^2 weighting precision over recall.
            Defaults to 0.3.

    Returns:
        float: The clip's F-measure.
    """
    tp, pred_sum, gt_sum = threshold_counts(prob, gt, num_thresholds)
    return video_fscore_from_counts(tp, pred_sum, gt_sum, beta2)
