# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
import pytest

from mmavs.datasets import AVSBenchObjectDataset
from mmavs.datasets.audio_pairing import derangement


def test_plain_derangement():
    for seed in range(20):
        perm = derangement(7, np.random.default_rng(seed))
        assert sorted(perm) == list(range(7))
        assert not np.any(perm == np.arange(7))


def test_different_classes():
    classes = [{'dog'}, {'dog'}, {'cat'}, {'cat'}, {'car'}, {'car', 'dog'}]
    for seed in range(20):
        perm = derangement(6, np.random.default_rng(seed), classes)
        assert sorted(perm) == list(range(6))
        for i, j in enumerate(perm):
            assert not classes[i] & classes[j], (i, j)


def test_impossible_pairing():
    # 'dog' is in 3 of 4 clips: two dog clips must swap with each other
    with pytest.raises(ValueError, match="clips per class: {'dog': 3"):
        derangement(4, np.random.default_rng(0),
                    [{'dog'}, {'dog'}, {'dog'}, {'cat'}])
    with pytest.raises(ValueError, match='at least 2'):
        derangement(1, np.random.default_rng(0))


def test_s4_swap_crosses_categories(tiny_avs_root):
    dataset = AVSBenchObjectDataset(
        tiny_avs_root, subset='s4', split='train', shuffle_audio_seed=0)
    category = {
        dataset.get_data_info(i)['clip_name']:
        dataset.get_data_info(i)['category']
        for i in range(len(dataset))
    }
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        assert info['category'] != category[info['audio_clip_name']]
