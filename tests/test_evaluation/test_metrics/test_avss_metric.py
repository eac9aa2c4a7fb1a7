# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.evaluation import AVSSMetric

CLASSES = ('background', 'a', 'b', 'c')


def _frame(clip, index, num, pred, gt):
    s = SegDataSample(
        metainfo=dict(clip_name=clip, frame_index=index, num_frames=num))
    s.pred_sem_seg = PixelData(data=pred[None])
    s.gt_sem_seg = PixelData(data=gt[None])
    return s


def _batch():
    gt_a = torch.tensor([[0, 1, 1], [2, 2, 255]])
    pred_a = torch.tensor([[0, 1, 2], [2, 1, 0]])
    unlabelled = torch.full((2, 3), 255)
    return [
        _frame('a', 0, 2, pred_a, gt_a),
        _frame('a', 1, 2, torch.zeros(2, 3, dtype=torch.long), unlabelled),
        _frame('b', 0, 1, torch.tensor([[0, 0], [0, 2]]),
               torch.zeros(2, 2, dtype=torch.long)),
    ]


def test_hand_worked_values():
    metric = AVSSMetric()
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, _batch())
    assert len(metric.results) == 2  # one result per clip
    res = metric.evaluate(2)
    # set level: TP = [4, 1, 1, 0], FP = [0, 1, 2, 0], FN = [1, 1, 1, 0];
    # class 'c' never occurs and is left out of the three means
    assert res['mIoU'] == pytest.approx((4 / 5 + 1 / 3 + 1 / 4) / 3)
    assert res['mFscore'] == pytest.approx(
        (5.2 / 5.5 + 1.3 / 2.6 + 1.3 / 3.6) / 3)
    assert res['mFDR'] == pytest.approx((0 + 1 / 2 + 2 / 3) / 3)
    # official J, F: mean over all 4 classes (unlabelled frame skipped)
    assert res['J'] == pytest.approx((0.875 + 1 / 3 + 1 / 6) / 4, abs=1e-7)
    assert res['F'] == pytest.approx((27 / 28 + 0.75) / 4, abs=1e-7)


def test_perfect_prediction():
    metric = AVSSMetric()
    metric.dataset_meta = dict(classes=CLASSES[:3])
    gt = torch.tensor([[0, 1], [2, 2]])
    metric.process({}, [_frame('x', 0, 1, gt, gt)])
    res = metric.evaluate(1)
    assert res == dict(mIoU=1.0, mFscore=1.0, mFDR=0.0, J=1.0, F=1.0)


def test_errors():
    metric = AVSSMetric()
    metric.dataset_meta = dict(classes=CLASSES)
    with pytest.raises(ValueError, match="1 of the 2 frames of clip 'a'"):
        metric.process({}, _batch()[:1])
    with pytest.raises(ValueError, match='none of the 1 clips'):
        metric.process({}, [
            _frame('u', 0, 1, torch.zeros(2, 2, dtype=torch.long),
                   torch.full((2, 2), 255))
        ])
        metric.evaluate(1)
    no_meta = AVSSMetric()
    with pytest.raises(KeyError, match='dataset_meta'):
        no_meta.process({}, _batch())
    bad = _batch()
    bad[2].pred_sem_seg = PixelData(data=torch.zeros(1, 3, 3).long())
    with pytest.raises(ValueError, match=r'pred_sem_seg \(1, 3, 3\)'):
        metric.process({}, bad)


def test_padded_frames_scored_as_background_like_the_official_test():
    """``score_padded_frames``: a frame padded by AVSPadClip (label all
    ignore_index, logits zeroed -> predicted background) counts as an
    all-background frame, as the official test loop's black frames."""
    batch = _batch()
    batch[1].set_metainfo(dict(padded=True))  # clip a's unlabelled frame
    metric = AVSSMetric(score_padded_frames=True)
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, batch)
    res = metric.evaluate(2)
    # background: frames a0 (IoU 1, F 1), b0 (3/4, 13/14) and the padded one
    assert res['J'] == pytest.approx((11 / 12 + 1 / 3 + 1 / 6) / 4, abs=1e-7)
    assert res['F'] == pytest.approx((41 / 42 + 0.75) / 4, abs=1e-7)
    assert res['mIoU'] == pytest.approx((10 / 11 + 1 / 3 + 1 / 4) / 3)
    # off by default: the padded frame is skipped as unlabelled
    metric = AVSSMetric()
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, batch)
    assert metric.evaluate(2)['J'] == pytest.approx(
        (0.875 + 1 / 3 + 1 / 6) / 4, abs=1e-7)
