# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest
import torch

from mmavs.evaluation.functional import (fscore_curves, fscore_thresholds,
                                         mask_jaccard, threshold_counts,
                                         video_fscore)

f32 = np.float32


def official_mask_iou(prob, target, eps=1e-7):
    """The official ``mask_iou`` (size_average=False, on probabilities)."""
    num_pixels = prob.size(-1) * prob.size(-2)
    no_obj_flag = (target.sum(2).sum(1) == 0)
    pred = (prob > 0.5).int()
    inter = (pred * target).sum(2).sum(1)
    union = torch.max(pred, target).sum(2).sum(1)
    inter_no_obj = ((1 - target) * (1 - pred)).sum(2).sum(1)
    inter[no_obj_flag] = inter_no_obj[no_obj_flag]
    union[no_obj_flag] = num_pixels
    return inter / (union + eps)


def official_eval_pr(y_pred, y, num):
    """The official ``_eval_pr``: one pass over the frame per threshold."""
    prec, recall = torch.zeros(num), torch.zeros(num)
    thlist = torch.linspace(0, 1 - 1e-10, num)
    for i in range(num):
        y_temp = (y_pred >= thlist[i]).float()
        tp = (y_temp * y).sum()
        prec[i] = tp / (y_temp.sum() + 1e-20)
        recall[i] = tp / (y.sum() + 1e-20)
    return prec, recall


def official_fmeasure(pred, gt, pr_num=255):
    """The official ``Eval_Fmeasure`` on probabilities (the loop form)."""
    beta2 = 0.3
    avg_f, img_num = 0.0, 0
    score = torch.zeros(pr_num)
    for img_id in range(pred.size(0)):
        if torch.mean(gt[img_id]) == 0.0:
            continue
        prec, recall = official_eval_pr(pred[img_id], gt[img_id], pr_num)
        f_score = (1 + beta2) * prec * recall / (beta2 * prec + recall)
        f_score[f_score != f_score] = 0
        avg_f += f_score
        img_num += 1
        score = avg_f / img_num
    return score.max().item()


def f32_fscore(tp, pred_sum, gt_sum, beta2=0.3):
    """F-measure of one threshold worked out in float32 scalars."""
    p = f32(tp) / (f32(pred_sum) + f32(1e-20))
    r = f32(tp) / (f32(gt_sum) + f32(1e-20))
    if p == 0 and r == 0:
        return f32(0)  # 0 / 0 -> NaN -> 0
    return f32(1 + beta2) * p * r / (f32(beta2) * p + r)


# --------------------------------------------------------------- J
def test_mask_jaccard_hand_cases():
    prob = torch.tensor([
        # pred [[1, 0], [1, 0]] vs gt [[1, 1], [0, 0]]: inter 1, union 3
        [[0.9, 0.2], [0.6, 0.4]],
        # empty gt, pred [[1, 0], [0, 0]] (0.5 is not > 0.5): the background
        # IoU, 3 pixels where both are 0 out of 4 pixels
        [[0.8, 0.1], [0.3, 0.5]],
        # one-pixel perfect match: inter 1, union 1
        [[0.7, 0.0], [0.0, 0.0]],
        # empty gt, empty prediction: 4 / 4
        [[0.1, 0.1], [0.1, 0.1]],
        # empty gt, everything predicted: 0 / 4
        [[0.9, 0.9], [0.9, 0.9]],
    ])
    gt = torch.tensor([
        [[1, 1], [0, 0]],
        [[0, 0], [0, 0]],
        [[1, 0], [0, 0]],
        [[0, 0], [0, 0]],
        [[0, 0], [0, 0]],
    ])
    iou = mask_jaccard(prob, gt)
    assert iou.dtype == torch.float32 and iou.shape == (5, )
    # 3 + 1e-7 rounds to 3.0 in float32, so eps has no effect: 1 / 3
    assert iou[0].item() == f32(1) / f32(3)
    assert iou[0].item() == pytest.approx(1 / 3, abs=1e-7)
    # 4 + 1e-7 rounds to 4.0: exactly 0.75
    assert iou[1].item() == 0.75
    # 1 + 1e-7 rounds to 1 + 2**-23, so 1 / (1 + 2**-23) = 1 - 2**-23, not 1
    assert iou[2].item() == 1 - 2**-23
    assert iou[3].item() == 1.0
    assert iou[4].item() == 0.0


def test_mask_jaccard_3x3():
    # gt has 4 pixels, the prediction 5, 3 of them on the gt:
    # inter 3, union 4 + 5 - 3 = 6 -> 0.5
    gt = torch.tensor([[[1, 1, 0], [1, 1, 0], [0, 0, 0]]])
    prob = torch.tensor([[[0.9, 0.9, 0.9], [0.9, 0.1, 0.0],
                          [0.0, 0.0, 0.6]]])
    assert mask_jaccard(prob, gt).tolist() == [0.5]
    # the eps is an argument: without it the 1-pixel match is exactly 1
    one = torch.tensor([[[0.7, 0.0], [0.0, 0.0]]])
    one_gt = torch.tensor([[[1, 0], [0, 0]]])
    assert mask_jaccard(one, one_gt, eps=0.0).tolist() == [1.0]


def test_mask_jaccard_equals_official():
    gen = torch.Generator().manual_seed(0)
    prob = torch.rand(6, 7, 9, generator=gen)
    prob[0, 0, :3] = 0.5  # ties at the 0.5 threshold
    gt = (torch.rand(6, 7, 9, generator=gen) > 0.6).float()
    gt[2] = 0  # an empty frame
    gt[3] = 0
    gt[3, 1, 1] = 1  # a one-pixel object
    ours = mask_jaccard(prob, gt)
    assert torch.equal(ours, official_mask_iou(prob, gt))
    # gt as int64 or bool gives the same values
    assert torch.equal(mask_jaccard(prob, gt.long()), ours)
    assert torch.equal(mask_jaccard(prob, gt.bool()), ours)


def test_mask_jaccard_bad_inputs():
    with pytest.raises(ValueError, match=r'prob.*\(N, H, W\)'):
        mask_jaccard(torch.rand(4, 4), torch.zeros(4, 4))
    with pytest.raises(ValueError, match='same shape'):
        mask_jaccard(torch.rand(1, 4, 4), torch.zeros(1, 4, 5))
    with pytest.raises(ValueError, match='binary'):
        mask_jaccard(torch.rand(1, 2, 2), torch.full((1, 2, 2), 255))
    with pytest.raises(TypeError, match='gt'):
        mask_jaccard(torch.rand(1, 2, 2), np.zeros((1, 2, 2)))


# --------------------------------------------------------------- F
def test_fscore_thresholds():
    th = fscore_thresholds()
    assert th.dtype == torch.float32 and th.shape == (255, )
    assert th[0].item() == 0.0
    # 1 - 1e-10 rounds to 1.0 in float32, as in the official code
    assert th[-1].item() == 1.0
    assert bool((th[1:] > th[:-1]).all())
    assert torch.equal(th, torch.linspace(0, 1 - 1e-10, 255))
    assert fscore_thresholds(3).tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(ValueError, match='num_thresholds'):
        fscore_thresholds(0)


# one frame, pixels (prob, gt): (0.7, 1), (0.7, 0), (0.2, 0), (0.2, 0).
# Thresholds are k / 254: k <= 50 are <= 0.2, 51 <= k <= 177 are in
# (0.2, 0.7], k >= 178 are > 0.7.
#   t <= 0.2:       4 predicted, tp 1: P 1/4, R 1 -> F = 1.3/4 / 1.075 = 13/43
#   0.2 < t <= 0.7: 2 predicted, tp 1: P 1/2, R 1 -> F = 0.65 / 1.15 = 13/23
#   t > 0.7:        nothing predicted: P = R = 0 -> 0/0 = NaN -> 0
FRAME1_PROB = [[0.7, 0.7], [0.2, 0.2]]
FRAME1_GT = [[1, 0], [0, 0]]
# a second frame, pixels (prob, gt): (0.2, 1), (0.2, 1), (0.7, 0), (0.05, 0);
# thresholds k <= 12 are <= 0.05:
#   t <= 0.05:       4 predicted, tp 2: P 1/2, R 1 -> 13/23
#   0.05 < t <= 0.2: 3 predicted, tp 2: P 2/3, R 1 -> 1.3*2/3 / 1.2 = 13/18
#   0.2 < t <= 0.7:  1 predicted, tp 0: P = R = 0 -> NaN -> 0
#   t > 0.7:         nothing predicted -> 0
FRAME2_PROB = [[0.2, 0.2], [0.7, 0.05]]
FRAME2_GT = [[1, 1], [0, 0]]


def test_threshold_counts_hand_case():
    tp, pred_sum, gt_sum = threshold_counts(
        torch.tensor([FRAME1_PROB]), torch.tensor([FRAME1_GT]))
    assert tp.shape == pred_sum.shape == (1, 255) and gt_sum.tolist() == [1]
    assert tp.dtype == pred_sum.dtype == torch.int64
    expected_pred = [4] * 51 + [2] * 127 + [0] * 77
    expected_tp = [1] * 178 + [0] * 77
    assert pred_sum[0].tolist() == expected_pred
    assert tp[0].tolist() == expected_tp


def test_fscore_curve_hand_case():
    curve = fscore_curves(*threshold_counts(
        torch.tensor([FRAME1_PROB]), torch.tensor([FRAME1_GT])))[0]
    assert curve.dtype == torch.float32
    assert curve[:51].tolist() == [f32_fscore(1, 4, 1)] * 51
    assert curve[51:178].tolist() == [f32_fscore(1, 2, 1)] * 127
    assert curve[178:].tolist() == [0.0] * 77  # the NaNs became 0
    assert curve[0].item() == pytest.approx(13 / 43, abs=1e-6)
    assert curve[51].item() == pytest.approx(13 / 23, abs=1e-6)


def test_video_fscore_single_frame():
    score = video_fscore(
        torch.tensor([FRAME1_PROB]), torch.tensor([FRAME1_GT]))
    # the max, reached for 0.2 < t <= 0.7
    assert score == f32_fscore(1, 2, 1)
    assert score == pytest.approx(13 / 23, abs=1e-6)
    # beta2 = 1 is F1: 2 * 1/2 * 1 / (1/2 + 1) = 2/3
    f1 = video_fscore(
        torch.tensor([FRAME1_PROB]), torch.tensor([FRAME1_GT]), beta2=1.0)
    assert f1 == pytest.approx(2 / 3, abs=1e-6)
    # 3 thresholds 0, 0.5, 1.0: F 13/43, 13/23, 0 -> 13/23
    assert video_fscore(
        torch.tensor([FRAME1_PROB]),
        torch.tensor([FRAME1_GT]),
        num_thresholds=3) == f32_fscore(1, 2, 1)


def test_video_fscore_averages_curves_then_takes_max():
    prob = torch.tensor([FRAME1_PROB, FRAME2_PROB])
    gt = torch.tensor([FRAME1_GT, FRAME2_GT])
    # mean curve: k <= 12: (13/43 + 13/23) / 2 = 0.4338
    #             13 <= k <= 50: (13/43 + 13/18) / 2 = 0.5123  <- max
    #             51 <= k <= 177: (13/23 + 0) / 2 = 0.2826
    #             k >= 178: 0
    expected = (f32_fscore(1, 4, 1) + f32_fscore(2, 3, 2)) / f32(2)
    score = video_fscore(prob, gt)
    assert score == expected
    assert score == pytest.approx((13 / 43 + 13 / 18) / 2, abs=1e-6)
    # not the mean of the per-frame maxima, (13/23 + 13/18) / 2 = 0.6437
    assert score < 0.6


def test_video_fscore_skips_empty_frames():
    prob = torch.tensor([FRAME1_PROB, [[0.9, 0.9], [0.9, 0.9]]])
    gt = torch.tensor([FRAME1_GT, [[0, 0], [0, 0]]])
    # the empty frame is not averaged in as a zero curve
    assert video_fscore(prob, gt) == f32_fscore(1, 2, 1)
    # a clip whose frames are all empty scores 0, whatever is predicted
    assert video_fscore(prob, torch.zeros(2, 2, 2)) == 0.0
    assert video_fscore(torch.zeros(3, 2, 2), torch.zeros(3, 2, 2)) == 0.0


def test_video_fscore_all_nan_curve():
    # nothing reaches t > 0: F is P=1/4, R=1 at t = 0 (0 >= 0 counts every
    # pixel) and 0/0 -> 0 everywhere else
    prob = torch.zeros(1, 2, 2)
    gt = torch.tensor([FRAME1_GT])
    curve = fscore_curves(*threshold_counts(prob, gt))[0]
    assert curve[0].item() == f32_fscore(1, 4, 1)
    assert curve[1:].tolist() == [0.0] * 254
    assert video_fscore(prob, gt) == f32_fscore(1, 4, 1)


def test_threshold_counts_edges():
    # 1.0 reaches the last threshold (1.0), 0.9999 does not; NaN reaches none
    prob = torch.tensor([[[1.0, 0.9999], [float('nan'), 0.0]]])
    gt = torch.tensor([[[1, 1], [1, 0]]])
    tp, pred_sum, gt_sum = threshold_counts(prob, gt)
    assert pred_sum[0, -1].item() == 1 and tp[0, -1].item() == 1
    assert pred_sum[0, 0].item() == 3  # 0.0 >= 0 counts, NaN does not
    assert tp[0, 0].item() == 2
    assert gt_sum.tolist() == [3]
    prec, recall = official_eval_pr(prob[0], gt[0].float(), 255)
    assert torch.equal(prec, tp[0].float() / (pred_sum[0].float() + 1e-20))
    assert torch.equal(recall, tp[0].float() / (3 + 1e-20))


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_video_fscore_equals_official_loop(seed):
    gen = torch.Generator().manual_seed(seed)
    prob = torch.rand(5, 6, 7, generator=gen)
    # ties: probabilities equal to thresholds, and the extremes 0 and 1
    th = fscore_thresholds()
    prob[0, 0] = th[torch.randint(0, 255, (7, ), generator=gen)]
    prob[1, 0, :2] = torch.tensor([0.0, 1.0])
    # a sigmoid-like distribution piling up near 0 and 1
    prob[2] = torch.sigmoid(torch.randn(6, 7, generator=gen) * 8)
    gt = (torch.rand(5, 6, 7, generator=gen) > 0.5).float()
    gt[3] = 0  # an empty frame, skipped
    ours = video_fscore(prob, gt)
    assert ours == official_fmeasure(prob, gt)
    # frame-level curves too, with the official loop as reference
    tp, pred_sum, gt_sum = threshold_counts(prob, gt)
    curves = fscore_curves(tp, pred_sum, gt_sum)
    for i in (0, 1, 2, 4):
        prec, recall = official_eval_pr(prob[i], gt[i], 255)
        f = 1.3 * prec * recall / (0.3 * prec + recall)
        f[f != f] = 0
        assert torch.equal(curves[i], f)


def test_video_fscore_bad_inputs():
    with pytest.raises(ValueError, match=r'\(N, H, W\)'):
        video_fscore(torch.rand(2, 2), torch.zeros(2, 2))
    with pytest.raises(ValueError, match='same shape'):
        video_fscore(torch.rand(2, 2, 2), torch.zeros(3, 2, 2))
    with pytest.raises(ValueError, match='binary'):
        video_fscore(torch.rand(1, 2, 2), torch.full((1, 2, 2), 2))
