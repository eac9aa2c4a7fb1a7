# Copyright (c) mmavs contributors. All rights reserved.
"""The official CAVP per-frame audio (``crop_audio`` of its loaders, then
``view(T, -1)`` in its trainers), against a re-implementation written here
from that code."""
import numpy as np
import pytest
import torch

from mmavs.audio import cavp_crop_chunks, log_mel_db, waveform_to_log_mel
from mmavs.datasets.transforms import ComputeLogMel


def official(wave, audio_len, num_chunks, sr=16000):
    mid_ = wave.shape[1] // 2
    sample_len = int(audio_len * sr)
    st = mid_ - sample_len // 2
    et = st + sample_len
    wave = wave[:, st:et]
    if wave.shape[1] != sample_len:
        r_num = sample_len // wave.shape[1] + 1
        wave = wave.repeat(1, r_num)[:, :sample_len]
    wave = torch.mean(wave, dim=0).unsqueeze(0)
    return wave.view(1, num_chunks, 1, -1)[0]


@pytest.mark.parametrize('seconds, chunks', [(5, 5), (10, 10), (5, 10),
                                             (12.5, 10), (1.2, 5)])
def test_chunks_match_the_official_loaders(seconds, chunks):
    wave = torch.randn(2, int(seconds * 16000))
    ours = cavp_crop_chunks(wave.mean(0, keepdim=True), 160000, chunks,
                            range(chunks))
    torch.testing.assert_close(ours, official(wave, 10, chunks))


def test_five_second_clip_by_hand():
    # a 5 s clip: the crop starts at -40000, i.e. at 2.5 s, so the second
    # half is tiled; the first of 5 chunks (2 s) is 2.5 s - 4.5 s
    wave = torch.arange(80000.)[None]
    chunks = cavp_crop_chunks(wave, 160000, 5, [0, 1])
    assert chunks.shape == (2, 1, 32000)
    assert chunks[0, 0, 0] == 40000 and chunks[0, 0, -1] == 71999
    assert chunks[1, 0, 0] == 72000 and chunks[1, 0, 8000] == 40000
    with pytest.raises(ValueError, match='split'):
        cavp_crop_chunks(wave, 160000, 7, [0])
    with pytest.raises(ValueError, match='outside'):
        cavp_crop_chunks(wave, 160000, 5, [5])


def test_transform_gives_each_frame_its_official_chunk():
    torch.manual_seed(0)
    wave = torch.randn(1, 5 * 16000)
    t = ComputeLogMel(crop_seconds=10.0, num_chunks=10)
    out = t(dict(waveform=wave.numpy(), sample_rate=16000, num_frames=5,
                 frame_indices=[0], clip_num_frames=5))['audio']
    expected = log_mel_db(official(wave, 10, 10)[0:1], num_time_frames=96)
    assert out.shape == (1, 1, 96, 64)
    np.testing.assert_allclose(out, expected.numpy(), atol=1e-6)
    # the default (centred windows: second 0) differs on a 5 s clip, whose
    # official first chunk is 2.5 s - 3.5 s
    plain = waveform_to_log_mel(wave, 16000, 5, frame_indices=[0])
    assert not np.allclose(out, plain.numpy())
    assert 'crop_seconds=10.0' in repr(t)
