# Copyright (c) mmavs contributors. All rights reserved.
"""tools/dataset_converters/make_synthetic_avs.py."""
import csv
import hashlib
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import soundfile as sf
import torch

SMALL = dict(s4=dict(train=1, val=1, test=1), ms3=dict(train=2, val=1, test=1))


def _hashes(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = osp.join(dirpath, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = hashlib.sha256(
                    f.read()).hexdigest()
    return out


def _read_csv(path):
    with open(path, newline='') as f:
        return list(csv.reader(f))


def _fundamental_levels(samples, f0s, sample_rate=16000):
    """|FFT| at each class fundamental in every second: (T, K)."""
    x = samples.reshape(-1, sample_rate).astype(np.float64)
    spec = np.abs(np.fft.rfft(x, axis=1))  # 1 Hz bins
    return spec[:, np.round(f0s).astype(int)]


def test_deterministic(tmp_path, synthetic_avs):
    for name in ('a', 'b'):
        synthetic_avs.make_synthetic_avs(
            str(tmp_path / name), seed=5, num_clips=SMALL, size=32)
    synthetic_avs.make_synthetic_avs(
        str(tmp_path / 'c'), seed=6, num_clips=SMALL, size=32)
    a, b, c = (_hashes(str(tmp_path / n)) for n in 'abc')
    assert len(a) > 50 and a == b
    assert set(c) != set(a) or any(c[k] != a[k] for k in a)


def test_layout_and_formats(tiny_avs_root, synthetic_avs):
    rows = _read_csv(osp.join(tiny_avs_root, 's4_meta_data.csv'))
    assert rows[0] == ['name', 'start', 'category', 'split']
    assert [r[3] for r in rows[1:]] == ['train'] * 3 + ['val'] * 2 + \
        ['test'] * 2
    names = {c.name for c in synthetic_avs.CLASSES}
    assert all(r[2] in names for r in rows[1:])
    name, _, category, split = rows[1]
    data = osp.join(tiny_avs_root, 's4_data')
    mask_dir = osp.join(data, 'gt_masks', split, category, name)
    assert sorted(os.listdir(mask_dir)) == [f'{name}_1.png']  # S4 train
    frame = cv2.imread(
        osp.join(data, 'visual_frames', split, category, name,
                 f'{name}_5.png'), cv2.IMREAD_UNCHANGED)
    assert frame.shape == (32, 32, 3) and frame.dtype == np.uint8
    assert frame.std() > 10  # a noisy, textured background
    mask = cv2.imread(osp.join(mask_dir, f'{name}_1.png'),
                      cv2.IMREAD_UNCHANGED)
    assert mask.shape == (32, 32) and set(np.unique(mask)) == {0, 255}
    wav = osp.join(data, 'audio_wav', split, category, f'{name}.wav')
    meta = sf.info(wav)
    assert (meta.samplerate, meta.channels, meta.frames) == (16000, 1, 80000)
    assert meta.subtype == 'PCM_16'

    rows = _read_csv(osp.join(tiny_avs_root, 'ms3_meta_data.csv'))
    assert rows[0] == ['video_id', 'split'] and len(rows) == 8
    name, split = rows[1]
    data = osp.join(tiny_avs_root, 'ms3_data')
    assert sorted(os.listdir(osp.join(data, 'visual_frames', name))) == [
        f'{name}.mp4_{i}.png' for i in range(1, 6)
    ]
    assert sorted(os.listdir(osp.join(data, 'gt_masks', split, name))) == [
        f'{name}_{i}.png' for i in range(1, 6)
    ]
    assert osp.isfile(osp.join(data, 'audio_wav', split, f'{name}.wav'))
    assert not osp.exists(osp.join(data, 'audio_log_mel'))  # off by default


def test_ms3_mask_follows_the_audio(tiny_avs_root, synthetic_avs):
    gen = synthetic_avs
    f0s = np.array([c.f0 for c in gen.CLASSES])
    changing, silent_visible = 0, 0
    num_clips = 3
    for index in range(num_clips):
        spec = gen.sample_clip(0, 'ms3', 'train', index, 32)
        paths = gen.clip_paths(tiny_avs_root, spec)
        samples, rate = sf.read(paths['wav'], dtype='int16')
        assert rate == 16000 and samples.shape == (80000, )
        levels = _fundamental_levels(samples, f0s)
        # a class sounds in second t when its fundamental is strong
        audible = levels > 0.1 * levels.max()
        obj_masks = gen.object_masks(spec, 32)
        visible = [o.cls for o in spec.objects]
        for t in range(5):
            heard = set(np.flatnonzero(audible[t]).tolist())
            assert heard <= set(visible)  # only visible objects sound
            assert heard == {visible[o] for o in spec.sounding[t]}
            expected = np.zeros((32, 32), bool)
            for o, cls in enumerate(visible):
                if cls in heard:
                    expected |= obj_masks[t, o]
            mask = cv2.imread(paths['masks'][t], cv2.IMREAD_UNCHANGED)
            np.testing.assert_array_equal(mask > 0, expected)
            silent_visible += len(visible) > len(heard)
        changing += len(set(map(tuple, audible))) > 1
        # one visible object (the distractor) is silent all clip long
        never_heard = set(visible) - set(np.flatnonzero(audible.any(0)))
        assert len(never_heard) == 1
    assert silent_visible > 0
    assert changing > num_clips / 2


def test_frames_show_the_objects(tiny_avs_root, synthetic_avs):
    gen = synthetic_avs
    spec = gen.sample_clip(0, 'ms3', 'val', 1, 32)
    paths = gen.clip_paths(tiny_avs_root, spec)
    obj_masks = gen.object_masks(spec, 32)
    assert 2 <= len(spec.objects) <= 3
    assert len({o.cls for o in spec.objects}) == len(spec.objects)
    for t in (0, 4):
        frame = cv2.imread(paths['frames'][t]).astype(float)
        # objects do not overlap and each shows its class colour
        assert obj_masks[t].sum(axis=0).max() == 1
        for o, obj in enumerate(spec.objects):
            mean = frame[obj_masks[t, o]].mean(axis=0)
            color = np.array(gen.CLASSES[obj.cls].color_bgr)
            assert np.abs(mean - color).max() < 35
    # objects move slightly between the first and the last frame
    assert not np.array_equal(obj_masks[0], obj_masks[4])


def test_s4_one_sounding_object_and_silent_distractor(tiny_avs_root,
                                                      synthetic_avs):
    gen = synthetic_avs
    f0s = np.array([c.f0 for c in gen.CLASSES])
    for index in range(2):
        spec = gen.sample_clip(0, 's4', 'val', index, 32)
        paths = gen.clip_paths(tiny_avs_root, spec)
        sounding, distractor = (o.cls for o in spec.objects)
        assert spec.category == gen.CLASSES[sounding].name
        assert f'/val/{spec.category}/' in paths['wav']
        samples, _ = sf.read(paths['wav'], dtype='int16')
        levels = _fundamental_levels(samples, f0s)
        assert (levels[:, sounding] > 20 * levels[:, distractor]).all()
        obj_masks = gen.object_masks(spec, 32)
        for t in range(5):
            mask = cv2.imread(paths['masks'][t], cv2.IMREAD_UNCHANGED)
            np.testing.assert_array_equal(mask > 0, obj_masks[t, 0])
            assert obj_masks[t, 1].any()  # the distractor is visible


def test_cli_and_log_mel(tmp_path, synthetic_avs, capsys):
    out = str(tmp_path / 'syn')
    synthetic_avs.main([
        '--out', out, '--subsets', 'ms3', '--num-train', '1', '--num-val',
        '1', '--num-test', '0', '--size', '32', '--log-mel'
    ])
    printed = capsys.readouterr().out
    assert 'ms3: train 1, val 1, test 0 clips' in printed
    assert not osp.exists(osp.join(out, 's4_meta_data.csv'))
    assert len(_read_csv(osp.join(out, 'ms3_meta_data.csv'))) == 3
    pkl = osp.join(out, 'ms3_data', 'audio_log_mel', 'val',
                   'syn_ms3_val_0000.pkl')
    with open(pkl, 'rb') as f:
        log_mel = pickle.load(f)
    assert isinstance(log_mel, torch.Tensor)
    assert log_mel.shape == (5, 1, 96, 64) and log_mel.dtype == torch.float32
