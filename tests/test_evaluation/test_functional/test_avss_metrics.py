# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest
import torch

from mmavs.evaluation.functional import (avss_frame_scores, avss_j_and_f,
                                         class_pixel_counts, class_scores)

# frame A: the pixel at (1, 2) is ignored
GT_A = torch.tensor([[0, 1, 1], [2, 2, 255]])
PRED_A = torch.tensor([[0, 1, 2], [2, 1, 0]])
# frame B: background only; one pixel predicted as class 2
GT_B = torch.zeros(2, 2, dtype=torch.long)
PRED_B = torch.tensor([[0, 0], [0, 2]])


def test_counts_and_frame_scores_by_hand():
    inter, pred, gt = class_pixel_counts(PRED_A, GT_A, 3)
    assert inter.tolist() == [1, 1, 1]
    assert pred.tolist() == [1, 2, 2] and gt.tolist() == [1, 2, 2]
    iou, f, present = avss_frame_scores(inter, pred, gt)
    torch.testing.assert_close(iou, torch.tensor([1, 1 / 3, 1 / 3]))
    # P = R = 1/2: F = 1.3 * 1/4 / (0.15 + 0.5) = 1/2
    torch.testing.assert_close(f, torch.tensor([1, 0.5, 0.5]))
    assert present.tolist() == [True, True, True]
    iou, f, present = avss_frame_scores(*class_pixel_counts(PRED_B, GT_B, 3))
    # class 0: P = 1, R = 3/4 -> F = 1.3 * 0.75 / 1.05 = 13/14; class 1
    # absent (0/0 -> 0); class 2 predicted only (recall 0/0 -> 0)
    torch.testing.assert_close(iou, torch.tensor([0.75, 0, 0]))
    torch.testing.assert_close(f, torch.tensor([13 / 14, 0, 0]))
    assert present.tolist() == [True, False, True]
    with pytest.raises(ValueError, match=r'outside \[0, 2\)'):
        class_pixel_counts(PRED_A, GT_A, 2)


def test_official_j_and_f_by_hand():
    frames = [
        avss_frame_scores(*class_pixel_counts(p, g, 4))
        for p, g in ((PRED_A, GT_A), (PRED_B, GT_B))
    ]
    iou, f, present = (torch.stack(x) for x in zip(*frames))
    J, F, j, f_pc = avss_j_and_f(iou, f, present)
    # class 0: (1 + 0.75) / 2; class 1: (1/3) / 1; class 2: (1/3 + 0) / 2;
    # class 3 never occurs -> 0, still in the mean over all 4 classes
    torch.testing.assert_close(j, torch.tensor([0.875, 1 / 3, 1 / 6, 0]))
    assert J == pytest.approx((0.875 + 1 / 3 + 1 / 6) / 4, abs=1e-7)
    torch.testing.assert_close(f_pc, torch.tensor([27 / 28, 0.5, 0.25, 0]))
    assert F == pytest.approx((27 / 28 + 0.75) / 4, abs=1e-7)


def _official(logits_list, targets, nclass, beta2=0.3):
    """Direct transcription of the official AVSS evaluation (histc counts,
    per-frame IoU/F, running sums, mean over all classes)."""
    ious = torch.zeros(nclass)
    fscores = torch.zeros(nclass)
    cls_count = torch.zeros(nclass)
    for output, target in zip(logits_list, targets):
        predict = torch.argmax(torch.softmax(output, 0), 0) + 1
        target = target.float() + 1
        predict = predict.float() * (target > 0).float()
        intersection = predict * (predict == target).float()
        a_i = torch.histc(intersection, bins=nclass, min=1, max=nclass)
        a_p = torch.histc(predict, bins=nclass, min=1, max=nclass)
        a_l = torch.histc(target, bins=nclass, min=1, max=nclass)
        a_u = a_p + a_l - a_i
        ious += 1.0 * a_i.float() / (2.220446049250313e-16 + a_u.float())
        cls_count[torch.nonzero(a_u).squeeze(-1)] += 1
        p, r = a_i / a_p, a_i / a_l
        fs = (1 + beta2) * p * r / (beta2 * p + r)
        fs[torch.isnan(fs)] = 0.
        fscores += fs
    miou = ious / cls_count
    miou[torch.isnan(miou)] = 0
    fsc = fscores / cls_count
    fsc[torch.isnan(fsc)] = 0
    return torch.mean(miou).item(), torch.mean(fsc).item()


def test_matches_official_code_on_random_frames():
    g = torch.Generator().manual_seed(0)
    K, frames = 6, 12
    logits = [torch.randn(K, 9, 11, generator=g) for _ in range(frames)]
    # few classes per frame, as in AVSS
    targets = [
        torch.randint(0, 3, (9, 11), generator=g) * (i % 3)
        for i in range(frames)
    ]
    scores = [
        avss_frame_scores(
            *class_pixel_counts(lg.argmax(0), t, K)) for lg, t in zip(
                logits, targets)
    ]
    iou, f, present = (torch.stack(x) for x in zip(*scores))
    J, F, _, _ = avss_j_and_f(iou, f, present)
    assert (J, F) == _official(logits, targets, K)


def test_dataset_class_scores_by_hand():
    inter = np.array([4, 1, 1, 0])
    pred = np.array([4, 2, 3, 0])
    gt = np.array([5, 2, 2, 0])
    s = class_scores(inter, pred, gt)
    # TP = [4, 1, 1], FP = [0, 1, 2], FN = [1, 1, 1]
    np.testing.assert_allclose(s['IoU'][:3], [4 / 5, 1 / 3, 1 / 4])
    np.testing.assert_allclose(
        s['Fscore'][:3], [5.2 / 5.5, 1.3 / 2.6, 1.3 / 3.6])
    np.testing.assert_allclose(s['FDR'][:3], [0, 1 / 2, 2 / 3])
    assert all(np.isnan(v[3]) for v in s.values())
