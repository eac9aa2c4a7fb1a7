# Copyright (c) mmavs contributors. All rights reserved.
import os
import os.path as osp
import shutil

import numpy as np
import pytest

from mmavs.datasets import AVSBenchSemanticsDataset

PIPELINE = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=5),
    dict(type='LoadAudio'),
    dict(type='ComputeLogMel'),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]


def test_clips_and_layout(tiny_avss_root):
    ds = AVSBenchSemanticsDataset(tiny_avss_root, split='train')
    assert len(ds) == 6
    assert ds.metainfo['classes'] == ('background', 'drum', 'guitar',
                                      'piano', 'dog')
    assert ds.metainfo['palette'][1] == [128, 0, 0]
    infos = {ds.get_data_info(i)['subset']: ds.get_data_info(i)
             for i in range(len(ds))}
    v1s, v2 = infos['v1s'], infos['v2']
    assert v1s['num_frames'] == 5 and v2['num_frames'] == 10
    # v1s training clips: only frame 0 is labelled
    assert v1s['seg_map_paths'][0].endswith(
        osp.join('v1s', v1s['clip_name'], 'labels_rgb', '0.png'))
    assert v1s['seg_map_paths'][1:] == [None] * 4
    assert v1s['img_paths'][4].endswith(osp.join('frames', '4.jpg'))
    assert None not in v2['seg_map_paths']
    test = AVSBenchSemanticsDataset(
        tiny_avss_root, split='test', subsets=['v1s'])
    assert len(test) == 2
    assert None not in test.get_data_info(0)['seg_map_paths']


def test_pipeline_decodes_generator_masks(tiny_avss_root, synthetic_avss):
    ds = AVSBenchSemanticsDataset(
        tiny_avss_root, split='test', subsets='v2', pipeline=PIPELINE)
    item = ds[0]
    assert item['inputs']['imgs'].shape == (10, 3, 32, 32)
    assert item['inputs']['audio'].shape == (10, 1, 96, 64)
    # regenerate the clip's index masks and compare with the decoded ones
    masks = synthetic_avss.clip_content(0, 'v2', 'test', 0, 32)[3]
    for t, sample in enumerate(item['data_samples']):
        np.testing.assert_array_equal(sample.gt_sem_seg.data[0].numpy(),
                                      masks[t])
        assert sample.audio_labels == sorted(set(np.unique(masks[t])) - {0})
        assert sample.clip_name == 'syn_v2_test_0000'


def test_errors(tiny_avss_root, tmp_path):
    root = str(tmp_path / 'avss')
    shutil.copytree(tiny_avss_root, root)
    with pytest.raises(ValueError, match='split'):
        AVSBenchSemanticsDataset(root, split='dev')
    with pytest.raises(ValueError, match='subsets'):
        AVSBenchSemanticsDataset(root, subsets=['v3'])
    os.remove(osp.join(root, 'v2', 'syn_v2_train_0001', 'frames', '7.jpg'))
    with pytest.raises(FileNotFoundError, match=r'frame 7 of 10.*7\.jpg'):
        AVSBenchSemanticsDataset(root, subsets=['v2'])
    csv_path = osp.join(root, 'metadata.csv')
    with open(csv_path) as f:
        text = f.read()
    with open(csv_path, 'w') as f:
        f.write(text.replace(',label', ',subset', 1))
    with pytest.raises(ValueError, match=r"lacks the columns \['label'\]"):
        AVSBenchSemanticsDataset(root)
    with open(csv_path, 'w') as f:  # no header row
        f.write(text.split('\n', 1)[1])
    with pytest.raises(ValueError, match='metadata.csv lacks the columns'):
        AVSBenchSemanticsDataset(root)
    with open(csv_path, 'w') as f:
        f.write(text.replace(',v1m\n', ',v9\n', 1))
    with pytest.raises(ValueError, match="line .*unknown label 'v9'"):
        AVSBenchSemanticsDataset(root, subsets=['v1s'])
    with open(osp.join(root, 'label2idx.json'), 'w') as f:
        f.write('{"background": 0, "drum": 2}')
    with pytest.raises(ValueError, match='indices 0..K-1'):
        AVSBenchSemanticsDataset(root)


@pytest.mark.parametrize('name, train_hw, test_hw',
                         [('avss_224x224', 224, 224), ('avss_512x512', 512,
                                                       32)])
def test_base_configs_on_tiny_tree(tiny_avss_root, name, train_hw, test_hw):
    from mmengine import Config

    from mmavs.registry import DATASETS
    from mmavs.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(
        osp.join(
            osp.dirname(__file__), '..', '..', 'configs', '_base_',
            'datasets', f'{name}.py'))
    assert cfg.test_dataloader.batch_size == 1
    assert cfg.train_dataloader.batch_size == 16
    train_cfg = dict(cfg.train_dataloader.dataset, data_root=tiny_avss_root)
    for idx in range(2):
        item = DATASETS.build(train_cfg)[idx]
        assert item['inputs']['imgs'].shape == (1, 3, train_hw, train_hw)
        assert item['inputs']['audio'].shape == (1, 1, 96, 64)
        assert item['data_samples'][0].gt_sem_seg.shape == (train_hw,
                                                            train_hw)
    test_cfg = dict(
        cfg.test_dataloader.dataset, data_root=tiny_avss_root, subsets='v2')
    item = DATASETS.build(test_cfg)[0]
    assert item['inputs']['imgs'].shape == (10, 3, test_hw, test_hw)


def test_shuffle_audio(tiny_avss_root):
    """Every clip hears another clip of the split (the classes heard are
    not known before the masks are read: any other clip)."""
    plain = AVSBenchSemanticsDataset(tiny_avss_root, split='train')
    own = {plain.get_data_info(i)['clip_name']: plain.get_data_info(i)
           for i in range(len(plain))}
    shuffled = AVSBenchSemanticsDataset(
        tiny_avss_root, split='train', shuffle_audio_seed=1)
    sources = []
    for i in range(len(shuffled)):
        info = shuffled.get_data_info(i)
        assert info['audio_clip_name'] != info['clip_name']
        assert info['audio_path'] == own[info['audio_clip_name']][
            'audio_path']
        assert info['img_paths'] == own[info['clip_name']]['img_paths']
        sources.append(info['audio_clip_name'])
    assert sorted(sources) == sorted(own)
    assert shuffled.audio_swap_rule.startswith('another clip')
    assert plain.audio_swap_rule is None
