# Copyright (c) mmavs contributors. All rights reserved.
"""Multi-class AVS metrics (AVSBench-Semantics, VPO).

Two families:

- Dataset-level class scores from pixel counts summed over the whole set
  (mmseg / CAVP): IoU = TP / (TP + FP + FN), F-beta =
  (1 + b2) TP / ((1 + b2) TP + b2 FN + FP) (the F-beta of precision and
  recall, 0 for a class present but never hit), FDR = FP / (FP + TP); a class
  whose score is 0 / 0 gets NaN and is left out of the means.
- The official AVSS J & F (``_batch_miou_fscore`` and the end of ``test.py``
  in ``avs_scripts/avss`` of `AVSBench <https://github.com/OpenNLPLab/
  AVSBench>`_): per frame and class, IoU = inter / (2.220446049250313e-16 +
  union) and F = (1 + b2) P R / (b2 P + R) with NaN -> 0, in float32; both
  summed over the frames, divided by the number of frames where the class is
  in the prediction or the ground truth (NaN -> 0), then averaged over *all*
  classes.
"""
from typing import Dict, Tuple

import numpy as np
import torch
from torch import Tensor

__all__ = [
    'class_pixel_counts', 'avss_frame_scores', 'avss_j_and_f',
    'class_scores'
]

_OFFICIAL_EPS = 2.220446049250313e-16


def class_pixel_counts(pred: Tensor,
                       gt: Tensor,
                       num_classes: int,
                       ignore_index: int = 255
                       ) -> Tuple[Tensor, Tensor, Tensor]:
    """Per-class pixel counts of one or more frames.

    Pixels whose ground truth is ``ignore_index`` are left out.

    Args:
        pred (Tensor): Predicted class indices with shape (..., H, W).
        gt (Tensor): Ground-truth indices with the same shape.
        num_classes (int): K.
        ignore_index (int): Ignored ground-truth value. Defaults to 255.

    Returns:
        tuple[Tensor]: int64 ``inter`` (TP), ``pred_area`` (TP + FP) and
        ``gt_area`` (TP + FN), each with shape (K, ).
    """
    if pred.shape != gt.shape:
        raise ValueError(f'pred and gt differ in shape: {tuple(pred.shape)} '
                         f'and {tuple(gt.shape)}.')
    valid = gt != ignore_index
    pred, gt = pred[valid].long(), gt[valid].long()
    for name, x in (('pred', pred), ('gt', gt)):
        if x.numel() and (x.min() < 0 or x.max() >= num_classes):
            raise ValueError(
                f'{name} has class indices outside [0, {num_classes}) '
                f'(ignore_index {ignore_index}): '
                f'{torch.unique(x[(x < 0) | (x >= num_classes)]).tolist()}.')
    inter = torch.bincount(pred[pred == gt], minlength=num_classes)
    pred_area = torch.bincount(pred, minlength=num_classes)
    gt_area = torch.bincount(gt, minlength=num_classes)
    return inter, pred_area, gt_area


def avss_frame_scores(inter: Tensor,
                      pred_area: Tensor,
                      gt_area: Tensor,
                      beta2: float = 0.3) -> Tuple[Tensor, Tensor, Tensor]:
    """IoU and F of every class in one frame, as the official AVSS code.

    Args:
        inter (Tensor): TP counts with shape (K, ).
        pred_area (Tensor): Predicted-pixel counts with shape (K, ).
        gt_area (Tensor): Ground-truth pixel counts with shape (K, ).
        beta2 (float): beta^2. Defaults to 0.3.

    Returns:
        tuple[Tensor]: float32 ``iou`` and ``fscore`` with shape (K, ) and
        bool ``present`` (class in the prediction or the ground truth).
    """
    inter, pred_area, gt_area = (x.float()
                                 for x in (inter, pred_area, gt_area))
    union = pred_area + gt_area - inter
    iou = 1.0 * inter / (_OFFICIAL_EPS + union)
    precision = inter / pred_area
    recall = inter / gt_area
    fscore = (1 + beta2) * precision * recall / (beta2 * precision + recall)
    fscore[torch.isnan(fscore)] = 0.
    return iou, fscore, union != 0


def avss_j_and_f(iou: Tensor, fscore: Tensor, present: Tensor
                 ) -> Tuple[float, float, Tensor, Tensor]:
    """The official AVSS J and F from per-frame scores.

    Args:
        iou (Tensor): float32 per-frame IoU with shape (N, K), frames in
            evaluation order.
        fscore (Tensor): float32 per-frame F with shape (N, K).
        present (Tensor): bool with shape (N, K), class in prediction or
            ground truth.

    Returns:
        tuple: ``J`` and ``F`` (floats, means over all K classes) and the
        per-class float32 ``j`` and ``f`` with shape (K, ) (0 for a class
        never present).
    """
    iou_sum = torch.zeros(iou.shape[1])
    f_sum = torch.zeros(iou.shape[1])
    count = torch.zeros(iou.shape[1])
    for i in range(iou.shape[0]):  # the official float32 running sums
        iou_sum += iou[i]
        f_sum += fscore[i]
        count[present[i]] += 1
    j = iou_sum / count
    j[torch.isnan(j)] = 0
    f = f_sum / count
    f[torch.isnan(f)] = 0
    return torch.mean(j).item(), torch.mean(f).item(), j, f


def class_scores(inter: np.ndarray,
                 pred_area: np.ndarray,
                 gt_area: np.ndarray,
                 beta2: float = 0.3) -> Dict[str, np.ndarray]:
    """Dataset-level IoU, F-beta and FDR of every class.

    Args:
        inter (np.ndarray): TP counts over the dataset with shape (K, ).
        pred_area (np.ndarray): TP + FP counts with shape (K, ).
        gt_area (np.ndarray): TP + FN counts with shape (K, ).
        beta2 (float): beta^2 of the F-measure. Defaults to 0.3.

    Returns:
        dict[str, np.ndarray]: float64 ``IoU``, ``Fscore`` and ``FDR`` with
        shape (K, ); NaN where the score is 0 / 0.
    """
    tp = np.asarray(inter, dtype=np.float64)
    fp = np.asarray(pred_area, dtype=np.float64) - tp
    fn = np.asarray(gt_area, dtype=np.float64) - tp
    with np.errstate(divide='ignore', invalid='ignore'):
        return dict(
            IoU=tp / (tp + fp + fn),
            Fscore=(1 + beta2) * tp / ((1 + beta2) * tp + beta2 * fn + fp),
            FDR=fp / (fp + tp))
