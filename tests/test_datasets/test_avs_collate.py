# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmseg.structures import SegDataSample

from mmavs.datasets import avs_collate
from mmavs.registry import FUNCTIONS


def _item(name, t=3, audio=True):
    inputs = dict(imgs=torch.zeros(t, 3, 4, 5, dtype=torch.uint8))
    if audio:
        inputs['audio'] = torch.zeros(t, 1, 96, 64)
    samples = [
        SegDataSample(metainfo=dict(clip_name=name, frame_index=i))
        for i in range(t)
    ]
    return dict(inputs=inputs, data_samples=samples)


def test_collate_clip_major():
    items = [_item('a'), _item('b')]
    batch = avs_collate(items)
    assert set(batch) == {'inputs', 'data_samples'}
    assert set(batch['inputs']) == {'imgs', 'audio'}
    assert batch['inputs']['imgs'][1] is items[1]['inputs']['imgs']
    assert [x.shape for x in batch['inputs']['audio']] == \
        [(3, 1, 96, 64)] * 2
    order = [(s.clip_name, s.frame_index) for s in batch['data_samples']]
    assert order == [('a', 0), ('a', 1), ('a', 2), ('b', 0), ('b', 1),
                     ('b', 2)]


def test_collate_errors():
    with pytest.raises(ValueError, match='clip 0 has 3 and clip 1 has 2'):
        avs_collate([_item('a'), _item('b', t=2)])
    with pytest.raises(ValueError, match='inputs'):
        avs_collate([_item('a'), _item('b', audio=False)])
    bad = _item('a')
    bad['inputs']['audio'] = torch.zeros(2, 1, 96, 64)
    with pytest.raises(ValueError, match=r"inputs\['audio'\] has 2 frames"):
        avs_collate([bad])
    with pytest.raises(ValueError, match='empty batch'):
        avs_collate([])


def test_collate_registered():
    assert FUNCTIONS.get('avs_collate') is avs_collate
    # how mmengine's Runner resolves collate_fn=dict(type='mmavs.avs_collate')
    assert MMENGINE_FUNCTIONS.get('mmavs.avs_collate') is avs_collate
