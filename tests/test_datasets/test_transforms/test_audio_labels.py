# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest

from mmavs.datasets.transforms import ComputeAudioLabels, PackAVSInputs


def test_per_frame_labels_and_union_for_unlabelled():
    masks = [np.array([[0, 3], [255, 3]], np.uint8),
             np.full((2, 2), 255, np.uint8),
             np.array([[7, 0], [1, 0]], np.uint8),
             np.zeros((2, 2), np.uint8)]
    out = ComputeAudioLabels()(
        dict(gt_masks=masks, frame_labelled=[True, False, True, True]))
    assert out['audio_labels'] == [[3], [1, 3, 7], [1, 7], []]
    # packed into every SegDataSample's metainfo
    out.update(imgs=[np.zeros((2, 2, 3), np.uint8)] * 4,
               img_paths=[f'{i}.jpg' for i in range(4)])
    samples = PackAVSInputs()(out)['data_samples']
    assert [s.audio_labels for s in samples] == out['audio_labels']
    with pytest.raises(KeyError, match='gt_masks'):
        ComputeAudioLabels()(dict())
