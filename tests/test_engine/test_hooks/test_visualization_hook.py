# Copyright (c) mmavs contributors. All rights reserved.
import os.path as osp
from unittest.mock import MagicMock

import cv2
import torch
from mmengine.visualization import Visualizer

from mmavs.apis import init_model
from mmavs.datasets import AVSBenchObjectDataset, avs_collate
from mmavs.engine import AVSVisualizationHook
from mmavs.registry import VISUALIZERS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
CONFIG = osp.join(ROOT, 'configs', 'tpavi',
                  'tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py')


def test_hook_draws_panels_with_attention(tmp_path, tiny_avs_root):
    model = init_model(CONFIG)
    VISUALIZERS.build(
        dict(
            type='AVSLocalVisualizer',
            name='hook_test',
            vis_backends=[dict(type='LocalVisBackend')],
            save_dir=str(tmp_path)))
    assert Visualizer.get_current_instance().instance_name == 'hook_test'
    dataset = AVSBenchObjectDataset(
        tiny_avs_root,
        subset='ms3',
        split='test',
        pipeline=model.cfg.test_dataloader.dataset.pipeline)
    hook = AVSVisualizationHook(draw=True, interval=1)
    runner = MagicMock(model=model, iter=0)
    batch = avs_collate([dataset[0]])
    hook.before_test_epoch(runner)
    with torch.no_grad():
        outputs = model.test_step(batch)
    hook.after_test_iter(runner, 0, batch, outputs)
    hook.after_test_epoch(runner)
    drawn = sorted(tmp_path.rglob('*.png'))
    assert len(drawn) == 5  # one per frame of the clip
    img = cv2.imread(str(drawn[0]))
    assert img.shape == (32, 4 * 32, 3)  # frame | gt | pred | attention
    # the fusion is back to returning levels only
    with torch.no_grad():
        assert len(model.test_step(batch)) == 5
    assert not model.fusion._forward_hooks
