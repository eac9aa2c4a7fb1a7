# Copyright (c) mmavs contributors. All rights reserved.
import csv
import os
import os.path as osp

import pytest

from mmavs.datasets import AVSBenchObjectDataset
from mmavs.registry import DATASETS

INFO_KEYS = {
    'clip_name', 'subset', 'split', 'category', 'img_paths', 'seg_map_paths',
    'audio_path', 'log_mel_path', 'num_frames', 'audio_clip_name',
    'sample_idx'
}


def _csv_rows(path):
    with open(path, newline='') as f:
        return list(csv.reader(f))


def _write_csv(path, rows):
    with open(path, 'w', newline='') as f:
        csv.writer(f).writerows(rows)


def _s4_train_rows(root):
    rows = _csv_rows(osp.join(root, 's4_meta_data.csv'))
    return [r for r in rows[1:] if r[3] == 'train']


def test_s4_train_infos(tiny_avs_root):
    dataset = AVSBenchObjectDataset(tiny_avs_root, subset='s4', split='train')
    rows = _s4_train_rows(tiny_avs_root)
    assert len(dataset) == len(rows) == 3
    assert dataset.metainfo['classes'] == ('background', 'sounding')
    assert dataset.metainfo['palette'] == [[0, 0, 0], [255, 255, 255]]
    for i, (name, _, category, _) in enumerate(rows):
        info = dataset.get_data_info(i)
        assert set(info) == INFO_KEYS
        data = osp.join(tiny_avs_root, 's4_data')
        assert info['clip_name'] == info['audio_clip_name'] == name
        assert (info['subset'], info['split']) == ('s4', 'train')
        assert info['category'] == category and info['num_frames'] == 5
        assert info['img_paths'] == [
            osp.join(data, 'visual_frames', 'train', category, name,
                     f'{name}_{k}.png') for k in range(1, 6)
        ]
        # semi-supervised: only the first frame has a mask
        assert info['seg_map_paths'] == [
            osp.join(data, 'gt_masks', 'train', category, name,
                     f'{name}_1.png'), None, None, None, None
        ]
        assert info['audio_path'] == osp.join(data, 'audio_wav', 'train',
                                              category, f'{name}.wav')
        assert info['log_mel_path'] == osp.join(data, 'audio_log_mel',
                                                'train', category,
                                                f'{name}.pkl')


def test_s4_val_has_five_masks(tiny_avs_root):
    dataset = AVSBenchObjectDataset(tiny_avs_root, subset='s4', split='val')
    assert len(dataset) == 2
    info = dataset.get_data_info(1)
    name, category = info['clip_name'], info['category']
    assert name == 'syn_s4_val_0001'
    assert info['seg_map_paths'] == [
        osp.join(tiny_avs_root, 's4_data', 'gt_masks', 'val', category, name,
                 f'{name}_{k}.png') for k in range(1, 6)
    ]
    assert all(osp.isfile(p) for p in info['seg_map_paths'])


def test_ms3_infos(tiny_avs_root):
    dataset = AVSBenchObjectDataset(
        tiny_avs_root, subset='ms3', split='train', test_mode=True)
    assert len(dataset) == 3
    info = dataset.get_data_info(2)
    name = 'syn_ms3_train_0002'
    data = osp.join(tiny_avs_root, 'ms3_data')
    assert info['clip_name'] == name and info['category'] is None
    assert info['img_paths'][2] == osp.join(data, 'visual_frames', name,
                                            f'{name}.mp4_3.png')
    # MS3 train clips are fully annotated
    assert info['seg_map_paths'] == [
        osp.join(data, 'gt_masks', 'train', name, f'{name}_{k}.png')
        for k in range(1, 6)
    ]
    assert info['audio_path'] == osp.join(data, 'audio_wav', 'train',
                                          f'{name}.wav')
    assert info['log_mel_path'] == osp.join(data, 'audio_log_mel', 'train',
                                            f'{name}.pkl')
    test_set = AVSBenchObjectDataset(tiny_avs_root, subset='ms3', split='test')
    assert [test_set.get_data_info(i)['clip_name'] for i in range(2)] == [
        'syn_ms3_test_0000', 'syn_ms3_test_0001'
    ]


def test_registry_and_basedataset_kwargs(tiny_avs_root):
    dataset = DATASETS.build(
        dict(
            type='AVSBenchObjectDataset',
            data_root=tiny_avs_root,
            subset='ms3',
            split='val',
            num_frames=3,
            indices=[1],
            serialize_data=False,
            lazy_init=True))
    assert isinstance(dataset, AVSBenchObjectDataset)
    assert not dataset._fully_initialized
    dataset.full_init()
    assert len(dataset) == 1
    info = dataset[0]  # no pipeline: the data info itself
    assert info['clip_name'] == 'syn_ms3_val_0001'
    assert info['num_frames'] == 3 and len(info['img_paths']) == 3
    assert info['img_paths'][-1].endswith('syn_ms3_val_0001.mp4_3.png')


@pytest.mark.parametrize('subset, header', [
    ('s4', 'name,start,category,split'),
    ('ms3', 'video_id,split'),
])
def test_csv_header_must_be_the_releases(tiny_avs_copy, subset, header):
    """Without its header row a CSV would lose its first clip; another
    header would mean other columns than those read by position."""
    csv_path = osp.join(tiny_avs_copy, f'{subset}_meta_data.csv')
    rows = _csv_rows(csv_path)
    assert rows[0] == header.split(',')
    _write_csv(csv_path, [['\ufeff' + rows[0][0]] + rows[0][1:]] + rows[1:])
    split = rows[1][-1]
    dataset = AVSBenchObjectDataset(tiny_avs_copy, subset=subset,
                                    split=split)  # a BOM is fine
    assert dataset.get_data_info(0)['clip_name'] == rows[1][0]
    for bad in (rows[1:], [list(reversed(rows[0]))] + rows[1:]):
        _write_csv(csv_path, bad)
        with pytest.raises(ValueError, match=f"header '{header}'") as info:
            AVSBenchObjectDataset(tiny_avs_copy, subset=subset, split=split)
        assert csv_path in str(info.value)


def test_bad_subset_split_and_csv(tiny_avs_copy):
    with pytest.raises(ValueError, match="subset 'avss'"):
        AVSBenchObjectDataset(tiny_avs_copy, subset='avss')
    with pytest.raises(ValueError, match="split 'valid'"):
        AVSBenchObjectDataset(tiny_avs_copy, subset='s4', split='valid')
    csv_path = osp.join(tiny_avs_copy, 'ms3_meta_data.csv')
    rows = _csv_rows(csv_path)
    _write_csv(csv_path, [r for r in rows if r[1] != 'val'])
    with pytest.raises(ValueError, match="no clip of split 'val'") as info:
        AVSBenchObjectDataset(tiny_avs_copy, subset='ms3', split='val')
    assert csv_path in str(info.value)
    _write_csv(csv_path, rows[:1] + [['only_a_name']])
    with pytest.raises(ValueError, match='line 2: expected at least 2'):
        AVSBenchObjectDataset(tiny_avs_copy, subset='ms3', split='val')
    os.remove(csv_path)
    with pytest.raises(FileNotFoundError, match='ms3_meta_data.csv'):
        AVSBenchObjectDataset(tiny_avs_copy, subset='ms3', split='train')


def test_missing_frame(tiny_avs_copy):
    dataset = AVSBenchObjectDataset(tiny_avs_copy, subset='s4', split='test')
    frame = dataset.get_data_info(1)['img_paths'][3]
    os.remove(frame)
    with pytest.raises(FileNotFoundError) as info:
        AVSBenchObjectDataset(tiny_avs_copy, subset='s4', split='test')
    msg = str(info.value)
    assert frame in msg and 'syn_s4_test_0001' in msg
    assert 'frame 4 of 5' in msg and osp.dirname(frame) in msg
    # a clip of 3 frames does not need frame 4
    assert len(
        AVSBenchObjectDataset(
            tiny_avs_copy, subset='s4', split='test', num_frames=3)) == 2


def test_missing_mask(tiny_avs_copy):
    dataset = AVSBenchObjectDataset(tiny_avs_copy, subset='s4', split='train')
    mask = dataset.get_data_info(0)['seg_map_paths'][0]
    os.remove(mask)
    with pytest.raises(FileNotFoundError, match='mask 1 of 5') as info:
        AVSBenchObjectDataset(tiny_avs_copy, subset='s4', split='train')
    assert mask in str(info.value)
    assert 'syn_s4_train_0000' in str(info.value)
    ms3 = AVSBenchObjectDataset(tiny_avs_copy, subset='ms3', split='train')
    last_mask = ms3.get_data_info(1)['seg_map_paths'][4]
    os.remove(last_mask)
    with pytest.raises(FileNotFoundError, match='mask 5 of 5') as info:
        AVSBenchObjectDataset(tiny_avs_copy, subset='ms3', split='train')
    assert last_mask in str(info.value)


def test_missing_wav_named(tiny_avs_copy):
    dataset = AVSBenchObjectDataset(tiny_avs_copy, subset='ms3', split='val')
    wav = dataset.get_data_info(0)['audio_path']
    os.remove(wav)
    with pytest.raises(FileNotFoundError, match='audio not found') as info:
        AVSBenchObjectDataset(tiny_avs_copy, subset='ms3', split='val')
    assert wav in str(info.value) and 'syn_ms3_val_0000' in str(info.value)


def test_log_mel_not_checked_at_load(tiny_avs_root):
    dataset = AVSBenchObjectDataset(tiny_avs_root, subset='s4', split='val')
    assert not osp.exists(dataset.get_data_info(0)['log_mel_path'])


def test_shuffle_audio(tiny_avs_root):
    kwargs = dict(data_root=tiny_avs_root, subset='ms3', split='train')
    plain = AVSBenchObjectDataset(**kwargs)
    shuffled = AVSBenchObjectDataset(shuffle_audio_seed=3, **kwargs)
    again = AVSBenchObjectDataset(shuffle_audio_seed=3, **kwargs)
    own = {
        plain.get_data_info(i)['clip_name']: plain.get_data_info(i)
        for i in range(len(plain))
    }
    sources = []
    for i in range(len(shuffled)):
        info = shuffled.get_data_info(i)
        src = own[info['audio_clip_name']]
        assert info['audio_clip_name'] != info['clip_name']
        assert info['audio_path'] == src['audio_path']
        assert info['log_mel_path'] == src['log_mel_path']
        # frames and masks stay with their clip
        assert info['img_paths'] == own[info['clip_name']]['img_paths']
        assert info['seg_map_paths'] == own[info['clip_name']]['seg_map_paths']
        assert again.get_data_info(i)['audio_path'] == info['audio_path']
        sources.append(info['audio_clip_name'])
    # a permutation: every clip's audio is used exactly once
    assert sorted(sources) == sorted(own)


def test_shuffle_audio_needs_two_clips(tiny_avs_copy):
    csv_path = osp.join(tiny_avs_copy, 'ms3_meta_data.csv')
    rows = _csv_rows(csv_path)
    _write_csv(csv_path, rows[:1] + [r for r in rows[1:] if r[1] == 'val'][:1])
    with pytest.raises(ValueError, match='at least 2 clips'):
        AVSBenchObjectDataset(
            tiny_avs_copy, subset='ms3', split='val', shuffle_audio_seed=0)
