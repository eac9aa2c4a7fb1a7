# Copyright (c) mmavs contributors. All rights reserved.
"""AVSLocalVisualizer with mmengine's TensorboardVisBackend."""
import cv2
import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from tensorboard.backend.event_processing import event_accumulator

from mmavs.registry import VISUALIZERS
from mmavs.utils import register_all_modules


def test_panels_written_to_tensorboard_events(tmp_path):
    register_all_modules()
    vis = VISUALIZERS.build(
        dict(
            type='AVSLocalVisualizer',
            name='test_avs_tensorboard',
            vis_backends=[dict(type='TensorboardVisBackend')],
            save_dir=str(tmp_path),
            palette=[[0, 0, 0], [0, 200, 0]],
            alpha=1.0))
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (6, 8, 3), dtype=np.uint8)
    sample = SegDataSample()
    sample.gt_sem_seg = PixelData(data=torch.zeros(1, 6, 8).long())
    pred = torch.zeros(1, 6, 8).long()
    pred[0, 2:4, 1:5] = 1
    sample.pred_sem_seg = PixelData(data=pred)
    attention = rng.random((3, 4))
    vis.add_datasample('clip_7', image, sample, step=2, attention=attention)
    vis.close()  # flushes the event file

    events = list(tmp_path.rglob('events.out.tfevents.*'))
    assert len(events) == 1 and events[0].stat().st_size > 0
    acc = event_accumulator.EventAccumulator(
        str(events[0].parent), size_guidance={'images': 0})
    acc.Reload()
    assert acc.Tags()['images'] == ['clip_7']
    (event, ) = acc.Images('clip_7')
    assert event.step == 2
    assert (event.height, event.width) == (6, 32)  # 4 panels of 8 px
    decoded = cv2.imdecode(
        np.frombuffer(event.encoded_image_string, np.uint8),
        cv2.IMREAD_COLOR)[..., ::-1]
    expected = vis.draw_panels(image, sample, attention=attention)
    np.testing.assert_array_equal(decoded, expected)  # PNG is lossless
    np.testing.assert_array_equal(decoded[2:4, 17:21], [[[0, 200, 0]] * 4] *
                                  2)  # the prediction panel's mask
