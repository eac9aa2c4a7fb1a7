# Copyright (c) mmavs contributors. All rights reserved.
import csv
import filecmp
import json
import os.path as osp

import soundfile as sf


def test_layout_and_determinism(synthetic_avss, tmp_path):
    counts = dict(train=1, val=0, test=1)
    kwargs = dict(
        seed=3, subsets=['v1s', 'v2'], num_clips=dict(v1s=counts,
                                                      v2=counts), size=32)
    synthetic_avss.make_synthetic_avss(str(tmp_path / 'a'), **kwargs)
    synthetic_avss.make_synthetic_avss(
        str(tmp_path / 'b'), stereo=True, **kwargs)
    a = str(tmp_path / 'a')
    with open(osp.join(a, 'metadata.csv')) as f:
        rows = list(csv.DictReader(f))
    assert [(r['uid'], r['label'], r['split']) for r in rows] == [
        ('syn_v1s_train_0000', 'v1s', 'train'),
        ('syn_v1s_test_0000', 'v1s', 'test'),
        ('syn_v2_train_0000', 'v2', 'train'),
        ('syn_v2_test_0000', 'v2', 'test'),
    ]
    with open(osp.join(a, 'label2idx.json')) as f:
        assert json.load(f)['background'] == 0
    v1s = osp.join(a, 'v1s', 'syn_v1s_train_0000')
    assert osp.isfile(osp.join(v1s, 'labels_rgb', '0.png'))
    assert not osp.exists(osp.join(v1s, 'labels_rgb', '1.png'))
    v2 = osp.join(a, 'v2', 'syn_v2_test_0000')
    assert osp.isfile(osp.join(v2, 'frames', '9.jpg'))
    assert osp.isfile(osp.join(v2, 'labels_rgb', '9.png'))
    mono, sr = sf.read(osp.join(v2, 'audio.wav'), always_2d=True)
    stereo, _ = sf.read(
        osp.join(tmp_path, 'b', 'v2', 'syn_v2_test_0000', 'audio.wav'),
        always_2d=True)
    assert sr == 16000 and mono.shape == (160000, 1)
    assert stereo.shape == (160000, 2)
    # same seed, same images; the audio differs only in its channels
    assert filecmp.cmp(
        osp.join(v2, 'labels_rgb', '3.png'),
        osp.join(tmp_path, 'b', 'v2', 'syn_v2_test_0000', 'labels_rgb',
                 '3.png'),
        shallow=False)
