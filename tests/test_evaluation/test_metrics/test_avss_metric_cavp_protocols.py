# Copyright (c) mmavs contributors. All rights reserved.
"""The CAVP evaluation protocols of AVSSMetric against re-implementations
of the official ``MIoU``, ``ForegroundDetect`` (utils/eval_utils.py),
``mask_iou`` and ``Eval_Fmeasure`` (utils/avsbench_utils.py) of
cyh-0/CAVP, written here from that code."""
import numpy as np
import pytest
import torch

from mmavs.evaluation import AVSSMetric


def official_miou(logits, targets, num_classes):
    """``MIoU``: histc counts summed over frames, IoU over all classes."""
    inter = union = 0
    for out, target in zip(logits, targets):
        target = target.long().clone()
        target[target == 255] = -1
        predict = out.argmax(0) + 1
        target = target + 1
        predict = predict * (target > 0).long()
        intersection = predict * (predict == target).long()
        hist = partial_histc(num_classes)
        a_inter, a_pred, a_lab = (hist(x) for x in (intersection, predict,
                                                    target))
        inter = inter + a_inter
        union = union + a_pred + a_lab - a_inter
    return (inter / (np.spacing(1) + union)).mean()


def partial_histc(num_classes):
    return lambda x: torch.histc(
        x.float(), bins=num_classes, min=1, max=num_classes).numpy()


def official_f03(logits, targets, num_classes):
    """``ForegroundDetect``: confusion matrix, NaN-mean of F_0.3."""
    cm = np.zeros((num_classes, num_classes))
    for out, target in zip(logits, targets):
        lt, lp = target.numpy().flatten(), out.argmax(0).numpy().flatten()
        mask = (lt >= 0) & (lt < num_classes) & (lt != 255)
        cm += np.bincount(
            num_classes * lt[mask].astype(int) + lp[mask],
            minlength=num_classes**2).reshape(num_classes, num_classes)
    tp = np.diag(cm)
    fp, fn = cm.sum(0) - tp, cm.sum(1) - tp
    with np.errstate(invalid='ignore'):
        return np.nanmean(1.3 * tp / (1.3 * tp + 0.3 * fn + fp))


def official_mask_iou(pred, target, eps=1e-7):
    n, num_pixels = pred.size(0), pred.size(-1) * pred.size(-2)
    no_obj = target.sum(2).sum(1) == 0
    inter = (pred * target).sum(2).sum(1)
    union = torch.max(pred, target).sum(2).sum(1)
    inter_no_obj = ((1 - target) * (1 - pred)).sum(2).sum(1)
    inter[no_obj] = inter_no_obj[no_obj]
    union[no_obj] = num_pixels
    return (torch.sum(inter / (union + eps)) / n).item()


def official_fmeasure(pred, gt, pr_num=255):
    avg_f, img_num, score = 0.0, 0, torch.zeros(pr_num)
    for i in range(pred.size(0)):
        if torch.mean(gt[i]) == 0.0:
            continue
        thlist = torch.linspace(0, 1 - 1e-10, pr_num)
        prec, recall = torch.zeros(pr_num), torch.zeros(pr_num)
        for j in range(pr_num):
            y_temp = (pred[i] >= thlist[j]).float()
            tp = (y_temp * gt[i]).sum()
            prec[j] = tp / (y_temp.sum() + 1e-20)
            recall[j] = tp / (gt[i].sum() + 1e-20)
        f_score = 1.3 * prec * recall / (0.3 * prec + recall)
        f_score[f_score != f_score] = 0
        avg_f += f_score
        img_num += 1
        score = avg_f / img_num
    return score.max().item()


def samples(logits, gts, clip_frames):
    out, i = [], 0
    for clip, num in enumerate(clip_frames):
        for _ in range(num):
            out.append(
                dict(
                    clip_name=f'clip{clip}',
                    num_frames=num,
                    seg_logits=dict(data=logits[i]),
                    pred_sem_seg=dict(data=logits[i].argmax(0)[None]),
                    gt_sem_seg=dict(data=gts[i][None])))
            i += 1
    return out


def evaluate(metric, data, num_classes):
    metric.dataset_meta = dict(classes=[f'c{k}' for k in range(num_classes)])
    metric.process({}, data)
    return metric.compute_metrics(metric.results)


def test_miou_average_by_hand():
    # class 2 is neither predicted nor labelled
    gt = torch.tensor([[0, 1], [1, 1]])
    pred = torch.tensor([[0, 1], [0, 1]])
    logits = torch.nn.functional.one_hot(pred, 3).permute(2, 0, 1).float()
    data = samples([logits], [gt], [1])
    present = evaluate(AVSSMetric(), data, 3)['mIoU']
    every = evaluate(AVSSMetric(miou_average='all'), data, 3)['mIoU']
    assert present == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert every == pytest.approx((1 / 2 + 2 / 3 + 0) / 3)
    with pytest.raises(ValueError, match='miou_average'):
        AVSSMetric(miou_average='mean')


def test_per_dataset_protocol_matches_the_official_code():
    torch.manual_seed(0)
    k, frames = 6, 7
    logits = torch.randn(frames, k, 12, 10)
    # class 5 never labelled; a few ignored pixels
    gts = torch.randint(0, k - 1, (frames, 12, 10))
    gts[0, :2] = 255
    metrics = evaluate(
        AVSSMetric(miou_average='all'), samples(logits, gts, [3, 4]), k)
    assert metrics['mIoU'] == pytest.approx(
        official_miou(logits, gts.clone(), k), abs=1e-6)
    assert metrics['mFscore'] == pytest.approx(
        official_f03(logits, gts, k), abs=1e-6)


def test_object_protocol_matches_the_official_code():
    torch.manual_seed(1)
    clip_frames = [5, 5, 3]
    n = sum(clip_frames)
    logits = torch.randn(n, 2, 16, 16) * 2
    gts = (torch.rand(n, 16, 16) > 0.6).long()
    gts[1] = 0  # a frame without foreground
    metrics = evaluate(
        AVSSMetric(miou_average='all', object_jf=True),
        samples(logits, gts, clip_frames), 2)
    j, f, start = [], [], 0
    for num in clip_frames:
        clip = slice(start, start + num)
        start += num
        j.append(
            official_mask_iou(logits[clip].argmax(1), gts[clip].clone()))
        f.append(
            official_fmeasure(logits[clip].softmax(1)[:, 1],
                              gts[clip].float()))
    assert metrics['mJ'] == pytest.approx(np.mean(j), abs=1e-6)
    assert metrics['mF'] == pytest.approx(np.mean(f), abs=1e-6)
    assert 0 < metrics['mJ'] < 1 and 0 < metrics['mF'] < 1


def test_object_protocol_needs_two_class_logits():
    logits = torch.randn(1, 3, 4, 4)
    gts = torch.zeros(1, 4, 4, dtype=torch.long)
    with pytest.raises(ValueError, match='2-class seg_logits'):
        evaluate(AVSSMetric(object_jf=True), samples(logits, gts, [1]), 3)
