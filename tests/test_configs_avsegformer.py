# Copyright (c) mmavs contributors. All rights reserved.
"""The AVSegFormer configs carry the release's hyper-parameters
(``config/*/AVSegFormer_*.py``, ``scripts/*/train.py``, ``dataloader/``) and
their pipelines read data as the release's dataloaders do."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmavs.registry import DATASETS
from mmavs.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load(name):
    return Config.fromfile(osp.join(ROOT, 'configs', 'avsegformer', name))


@pytest.mark.parametrize('backbone', ['pvt-v2-b5', 'r50'])
@pytest.mark.parametrize('task,epochs,freeze,batch,size', [
    ('1xb2-30e_avsbench-s4-224x224', 30, 5, 2, 224),
    ('1xb2-30e_avsbench-s4-512x512', 30, 5, 2, 512),
    ('1xb2-60e_avsbench-ms3-224x224', 60, 10, 2, 224),
    ('1xb2-60e_avsbench-ms3-512x512', 60, 10, 2, 512),
    ('1xb1-30e_avss-224x224', 30, 0, 1, 224),
])
def test_release_hyper_parameters(backbone, task, epochs, freeze, batch,
                                  size):
    cfg = load(f'avsegformer_{backbone}_{task}.py')
    assert cfg.optim_wrapper.optimizer == dict(
        type='AdamW', lr=2e-5, weight_decay=0.01)
    assert 'param_scheduler' not in cfg
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.train_dataloader.batch_size == batch
    hooks = {h.type: h for h in cfg.get('custom_hooks', [])}
    if freeze:
        assert hooks['FreezeBackboneHook'].freeze_epochs == freeze
    else:
        assert 'FreezeBackboneHook' not in hooks
    for loader in ('train', 'val', 'test'):
        resize = [
            t for t in cfg[f'{loader}_dataloader'].dataset.pipeline
            if t.type == 'AVSResize'
        ]
        assert resize[0].scale == (size, size)
        # scored at the input size, as the release's resized masks
        assert resize[0].get('update_ori_shape', False) == (loader != 'train')
    head = cfg.model.decode_head
    assert head.num_queries == 300 and head.embed_dims == 256
    assert head.memory_levels == (1, 2, 3)
    assert head.query_generator.num_layers == 6
    assert head.query_generator.ffn_channels == 1024
    assert head.encoder.num_layers == head.decoder.num_layers == 6
    assert head.encoder.ffn_channels == head.decoder.ffn_channels == 2048
    assert head.encoder.dropout == head.decoder.dropout == 0.1
    assert head.loss_mix.loss_weight == 0.1
    assert cfg.model.audio_backbone.frozen
    if 'avss' in task:
        assert head.out_channels == 71
        assert head.loss_decode.type == 'mmseg.CrossEntropyLoss'
        assert cfg.default_hooks.checkpoint.save_best == 'J'
    else:
        assert head.out_channels == 1
        assert head.loss_decode.type == 'FrameDiceLoss'
        assert cfg.default_hooks.checkpoint.save_best == 'mJ'


def test_512_pipeline_on_synthetic_s4(tiny_avs_root):
    cfg = load('avsegformer_r50_1xb2-30e_avsbench-s4-512x512.py')
    for split in ('train', 'test'):
        dataset = DATASETS.build(
            dict(
                cfg[f'{split}_dataloader'].dataset,
                data_root=tiny_avs_root))
        item = dataset[0]
        assert item['inputs']['imgs'].shape == (5, 3, 512, 512)
        assert item['inputs']['audio'].shape == (5, 1, 96, 64)
        sample = item['data_samples'][0]
        assert sample.gt_sem_seg.data.shape == (1, 512, 512)
        assert set(sample.gt_sem_seg.data.unique().tolist()) <= {0, 1}
        if split == 'test':
            assert tuple(sample.ori_shape) == (512, 512)
        else:  # S4 training: the first frame only is labelled
            later = item['data_samples'][1].gt_sem_seg.data
            assert (later == 255).all()


def test_avss_pipeline_gives_one_audio_example_per_frame(tiny_avss_root):
    cfg = load('avsegformer_r50_1xb1-30e_avss-224x224.py')
    dataset = DATASETS.build(
        dict(cfg.test_dataloader.dataset, data_root=tiny_avss_root))
    lengths = set()
    for item in dataset:
        num_frames = item['inputs']['imgs'].shape[0]
        assert item['inputs']['audio'].shape == (num_frames, 1, 96, 64)
        assert item['inputs']['imgs'].shape[-2:] == (224, 224)
        lengths.add(num_frames)
    assert lengths == {5, 10}
