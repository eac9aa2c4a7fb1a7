# Copyright (c) mmavs contributors. All rights reserved.
import json
import math
from unittest.mock import patch

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import DefaultScope
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from PIL import Image

from mmavs.evaluation import AVSMetric
from mmavs.evaluation.functional import mask_jaccard, video_fscore
from mmavs.registry import METRICS

# clip A: 3 frames of 2x2
A_LOGITS = [
    # probs .881 / .119: pred [[1, 0], [1, 0]] vs gt [[1, 1], [0, 0]]:
    # J = 1/3; fIoU counts inter 1, union 3
    [[2., -2.], [2., -2.]],
    # unlabelled frame: skipped by every metric
    [[5., 5.], [5., 5.]],
    # empty gt, everything predicted: J = 0/4; fIoU inter 0, union 4
    [[3., 3.], [3., 3.]],
]
A_GT = [
    [[1, 1], [0, 0]],
    [[255, 255], [255, 255]],
    [[0, 0], [0, 0]],
]
# clip B: 2 frames of 3x3
B_LOGITS = [
    # pred (logit > 0) has 5 pixels, 3 of them on the 4 gt pixels:
    # J = 3/6 = 0.5; fIoU inter 3, union 6
    [[2., 2., 2.], [2., -2., -3.], [-3., -3., 1.]],
    # one-pixel perfect match: J = 1/(1 + 1e-7) = 1 - 2**-23 in float32;
    # fIoU inter 1, union 1
    [[-4., -4., -4.], [-4., 4., -4.], [-4., -4., -4.]],
]
B_GT = [
    [[1, 1, 0], [1, 1, 0], [0, 0, 0]],
    [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
]
# J of the 4 labelled frames, fIoU = (1 + 0 + 3 + 1) / (3 + 4 + 6 + 1)
EXPECTED_J = [np.float32(1) / np.float32(3), 0.0, 0.5, 1 - 2**-23]
EXPECTED_FIOU = 5 / 14


def make_frame(clip, index, num_frames, logits, gt=None, img_path=None):
    """A frame as the model outputs it (before ``to_dict``)."""
    if img_path is None:
        img_path = f'data/frames/{clip}/{clip}_{index}.png'
    sample = SegDataSample(
        metainfo=dict(
            clip_name=clip,
            frame_index=index,
            num_frames=num_frames,
            img_path=img_path))
    # a one-channel head: mmseg's postprocess_result stores sigmoid(logits)
    sample.seg_logits = PixelData(data=torch.tensor(logits)[None].sigmoid())
    if gt is not None:
        sample.gt_sem_seg = PixelData(data=torch.tensor(gt)[None])
    return sample


def frame_dict(*args, **kwargs):
    return make_frame(*args, **kwargs).to_dict()


def clip_frames(clip, logits, gts):
    return [
        make_frame(clip, i, len(logits), logit, gt)
        for i, (logit, gt) in enumerate(zip(logits, gts))
    ]


def clip_dicts(clip, logits, gts):
    return [frame.to_dict() for frame in clip_frames(clip, logits, gts)]


def expected_fscore(logits, gts):
    """The clip F of the functional implementation (tested by hand)."""
    labelled = [i for i, gt in enumerate(gts) if gt[0][0] != 255]
    prob = torch.tensor(logits)[labelled].sigmoid()
    return video_fscore(prob, torch.tensor(gts)[labelled])


def test_evaluator_end_to_end_mixed_batches():
    a = clip_frames('clipA', A_LOGITS, A_GT)
    b = clip_frames('clipB', B_LOGITS, B_GT)
    evaluator = Evaluator(AVSMetric())
    # clip A spans three batches, frames arrive out of order
    for batch in ([a[2], b[1]], [a[0]], [b[0], a[1]]):
        evaluator.process(data_samples=batch)
    # one stored result per clip: mmengine keeps `size` = len(dataset) = 2
    assert len(evaluator.metrics[0].results) == 2
    metrics = evaluator.evaluate(size=2)

    assert set(metrics) == {'mJ', 'mF', 'fIoU'}
    assert all(type(v) is float for v in metrics.values())
    assert metrics['mJ'] == math.fsum(EXPECTED_J) / 4
    assert metrics['mJ'] == pytest.approx((1 / 3 + 0 + 0.5 + 1) / 4)
    assert metrics['fIoU'] == EXPECTED_FIOU
    f_a = expected_fscore(A_LOGITS, A_GT)
    f_b = expected_fscore(B_LOGITS, B_GT)
    assert metrics['mF'] == (f_a + f_b) / 2
    # clip A is frame 0 only (frame 2 has an empty gt): probs .881 / .119,
    # max F for .119 < t <= .881: P 1/2, R 1/2 -> 0.5; for t <= .119: P 1/2,
    # R 1 -> 0.65 / 1.15 = 13/23
    assert f_a == pytest.approx(13 / 23, abs=1e-6)


def test_matches_functional_on_concatenated_frames():
    metric = AVSMetric()
    frames = clip_frames('clipB', B_LOGITS, B_GT)
    metric.process({}, [frame.to_dict() for frame in frames])
    results = metric.compute_metrics(metric.results)
    prob = torch.tensor(B_LOGITS).sigmoid()
    gt = torch.tensor(B_GT)
    jaccard = mask_jaccard(prob, gt)
    assert jaccard.tolist() == [0.5, 1 - 2**-23]
    assert results['mJ'] == math.fsum(jaccard.tolist()) / 2
    assert results['mF'] == video_fscore(prob, gt)
    assert results['fIoU'] == 4 / 7


def test_threshold_changes_fiou_only():
    metric = AVSMetric(threshold=0.9)
    metric.process({}, clip_dicts('A', A_LOGITS, A_GT))
    results = metric.compute_metrics(metric.results)
    # J keeps the official 0.5: (1/3 + 0) / 2
    assert results['mJ'] == math.fsum(EXPECTED_J[:2]) / 2
    # frame 0 (probs .881 < .9) predicts nothing: inter 0, union 2;
    # frame 2 (probs .953) predicts 4 pixels on an empty gt: inter 0, union 4
    assert results['fIoU'] == 0.0


def test_empty_foreground_everywhere():
    metric = AVSMetric()
    metric.process({}, [frame_dict('c', 0, 1, [[-1., -1.]], [[0, 0]])])
    results = metric.compute_metrics(metric.results)
    # background IoU 2/2, no F without a foreground, fIoU undefined (0/0)
    assert results['mJ'] == 1.0
    assert results['mF'] == 0.0
    assert math.isnan(results['fIoU'])


def test_clip_without_labelled_frame_is_left_out():
    metric = AVSMetric()
    metric.process({}, clip_dicts('A', A_LOGITS, A_GT))
    metric.process({}, [frame_dict('U', 0, 1, [[1., 1.]], [[255, 255]])])
    assert len(metric.results) == 2
    results = metric.compute_metrics(metric.results)
    assert results['mF'] == expected_fscore(A_LOGITS, A_GT)
    only_unlabelled = AVSMetric()
    only_unlabelled.process({},
                            [frame_dict('U', 0, 1, [[1., 1.]], [[255, 255]])])
    with pytest.raises(ValueError, match='has a labelled frame'):
        only_unlabelled.compute_metrics(only_unlabelled.results)


def test_output_dir_writes_binary_pngs(tmp_path):
    out = tmp_path / 'pred'
    metric = AVSMetric(output_dir=str(out))
    metric.process({}, clip_dicts('A', A_LOGITS, A_GT))
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob('*.png'))
    assert files == ['A/A_0.png', 'A/A_1.png', 'A/A_2.png']
    mask = np.array(Image.open(out / 'A' / 'A_0.png'))
    assert mask.dtype == np.uint8
    np.testing.assert_array_equal(mask, [[255, 0], [255, 0]])
    # unlabelled frames are predicted too
    np.testing.assert_array_equal(
        np.array(Image.open(out / 'A' / 'A_1.png')), np.full((2, 2), 255))
    # the threshold is on the probability: sigmoid(2) = .881 < .9
    out9 = tmp_path / 'pred9'
    metric9 = AVSMetric(output_dir=str(out9), threshold=0.9)
    metric9.process({}, [frame_dict('A', 0, 1, A_LOGITS[0], A_GT[0])])
    np.testing.assert_array_equal(
        np.array(Image.open(out9 / 'A' / 'A_0.png')), np.zeros((2, 2)))


def test_format_only(tmp_path):
    metric = AVSMetric(output_dir=str(tmp_path), format_only=True)
    # no ground truth needed
    frame = frame_dict('X', 0, 1, [[1., -1.]], img_path='x/f.jpg')
    metric.process({}, [frame])
    assert metric.compute_metrics(metric.results) == {}
    np.testing.assert_array_equal(
        np.array(Image.open(tmp_path / 'X' / 'f.png')), [[255, 0]])
    with pytest.raises(ValueError, match='output_dir'):
        AVSMetric(format_only=True)


def test_keep_results(tmp_path):
    metric = AVSMetric(keep_results=True, output_dir=str(tmp_path))
    metric.process({}, clip_dicts('A', A_LOGITS, A_GT))
    metric.process({}, clip_dicts('B', B_LOGITS, B_GT))
    metric.compute_metrics(metric.results)
    expected = [
        dict(
            clip_name='A',
            num_labelled_frames=2,
            J=math.fsum(EXPECTED_J[:2]) / 2,
            F=expected_fscore(A_LOGITS, A_GT)),
        dict(
            clip_name='B',
            num_labelled_frames=2,
            J=math.fsum(EXPECTED_J[2:]) / 2,
            F=expected_fscore(B_LOGITS, B_GT)),
    ]
    assert metric.clip_results == expected
    with open(tmp_path / 'clip_results.json') as f:
        assert json.load(f) == expected
    no_keep = AVSMetric()
    no_keep.process({}, clip_dicts('B', B_LOGITS, B_GT))
    no_keep.compute_metrics(no_keep.results)
    assert no_keep.clip_results == []


def test_logs_a_table():
    metric = AVSMetric()
    metric.process({}, clip_dicts('B', B_LOGITS, B_GT))
    with patch('mmavs.evaluation.metrics.avs_metric.print_log') as log:
        metric.compute_metrics(metric.results)
    text = ''.join(str(call.args[0]) for call in log.call_args_list)
    assert 'mJ' in text and 'mF' in text and 'fIoU' in text
    assert '0.5714' in text  # fIoU 4/7


def test_registry():
    assert isinstance(METRICS.build(dict(type='AVSMetric')), AVSMetric)
    # a config with default_scope='mmavs' builds it through mmengine's root
    with DefaultScope.overwrite_default_scope('mmavs'):
        metric = MMENGINE_METRICS.build(dict(type='AVSMetric', threshold=0.3))
    assert isinstance(metric, AVSMetric) and metric.threshold == 0.3


@pytest.mark.parametrize('key', ['seg_logits', 'gt_sem_seg', 'clip_name'])
def test_missing_key(key):
    sample = frame_dict('A', 0, 1, A_LOGITS[0], A_GT[0])
    del sample[key]
    with pytest.raises(KeyError, match=key):
        AVSMetric().process({}, [sample])


@pytest.mark.parametrize('logits, gt, message', [
    ([[1., 1.], [1., 1.]], [[255, 0], [0, 0]], 'partly labelled'),
    ([[1., 1.], [1., 1.]], [[2, 0], [0, 0]], r'values \[0, 2\]'),
    ([[1., 1.], [1., 1.]], [[1, 0, 0], [0, 0, 0]], 'shape'),
])
def test_bad_ground_truth(logits, gt, message):
    with pytest.raises(ValueError, match=message):
        AVSMetric().process({}, [frame_dict('A', 0, 1, logits, gt)])


def test_bad_inputs():
    two_channels = frame_dict('A', 0, 1, A_LOGITS[0], A_GT[0])
    two_channels['seg_logits']['data'] = torch.zeros(2, 2, 2)
    with pytest.raises(ValueError, match=r'\(1, H, W\)'):
        AVSMetric().process({}, [two_channels])
    with pytest.raises(ValueError, match='frame_index'):
        AVSMetric().process({}, [frame_dict('A', 3, 3, [[1.]], [[1]])])
    with pytest.raises(ValueError, match='threshold'):
        AVSMetric(threshold=1.5)
    metric = AVSMetric()
    metric.process({}, [frame_dict('A', 0, 2, [[1.]], [[1]])])
    with pytest.raises(ValueError, match='twice'):
        metric.process({}, [frame_dict('A', 0, 2, [[1.]], [[1]])])
    with pytest.raises(ValueError, match='num_frames'):
        metric.process({}, [frame_dict('A', 1, 3, [[1.]], [[1]])])


def test_incomplete_clip_raises_at_evaluate():
    metric = AVSMetric()
    metric.process({}, [frame_dict('clipA', 1, 3, [[1.]], [[1]])])
    assert metric.results == []
    with pytest.raises(ValueError, match=r"clipA.*\[1\]"):
        metric.evaluate(size=1)


def test_clip_evaluated_twice_raises():
    metric = AVSMetric()
    for _ in range(2):
        metric.process({}, [frame_dict('A', 0, 1, [[1.]], [[1]])])
    with pytest.raises(ValueError, match='twice'):
        metric.compute_metrics(metric.results)


def test_rejects_logits_in_place_of_probabilities():
    frame = frame_dict('A', 0, 1, [[0., 0.], [0., 0.]], [[1, 0], [0, 0]])
    frame['seg_logits']['data'] = torch.tensor([[[2., -1.], [0., 0.]]])
    with pytest.raises(ValueError, match=r'outside \[0, 1\]'):
        AVSMetric().process({}, [frame])
