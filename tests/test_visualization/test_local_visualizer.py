# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.registry import VISUALIZERS
from mmavs.utils import register_all_modules


def _sample(h, w, with_gt=True):
    sample = SegDataSample()
    if with_gt:
        sample.gt_sem_seg = PixelData(data=torch.zeros(1, h, w).long())
    pred = torch.zeros(1, h, w).long()
    pred[0, :2] = 1
    sample.pred_sem_seg = PixelData(data=pred)
    return sample


def test_panels_and_saving(tmp_path):
    register_all_modules()
    vis = VISUALIZERS.build(
        dict(
            type='AVSLocalVisualizer',
            name='test_avs_vis',
            vis_backends=[dict(type='LocalVisBackend')],
            save_dir=str(tmp_path),
            palette=[[0, 0, 0], [0, 255, 0]],
            alpha=1.0))
    assert vis.dataset_meta['classes'] == ('background', 'sounding')
    image = np.full((4, 5, 3), 10, np.uint8)
    panels = vis.draw_panels(image, _sample(4, 5), attention=np.eye(2))
    assert panels.shape == (4, 20, 3)  # frame | gt | pred | attention
    np.testing.assert_array_equal(panels[:, :10], 10)  # empty ground truth
    np.testing.assert_array_equal(panels[:2, 10:15], [[[0, 255, 0]] * 5] * 2)
    np.testing.assert_array_equal(panels[2:, 10:15], 10)
    assert vis.draw_panels(image, _sample(4, 5, False)).shape == (4, 10, 3)
    vis.add_datasample('clip_1', image, _sample(4, 5), step=3)
    saved = list(tmp_path.rglob('clip_1_3.png'))
    assert len(saved) == 1
    out = tmp_path / 'direct.png'
    vis.add_datasample('x', image, _sample(4, 5), out_file=str(out))
    assert out.is_file()
