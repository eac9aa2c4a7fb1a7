# Copyright (c) mmavs contributors. All rights reserved.
import os.path as osp
import shutil

import mmcv
import numpy as np
import pytest
import soundfile as sf
from video_utils import (SAMPLE_RATE, frame_image, index_image, read_index,
                         tone, write_video)

from mmavs.apis import NoAudioError, VideoDecodeError, load_av_clip
from mmavs.apis.audio_track import AudioTrack, shift_blocks
from mmavs.apis.video_io import SecondSampler, sample_seconds


class FakeSource:
    """Frames at given times; ``load()`` returns the frame index. A frame
    folder (sampled by time) if ``folder``, else a video file (by index)."""

    def __init__(self, times, fps, folder=False):
        self.times, self.fps, self.path = times, fps, 'fake'
        self.frame_files = ['f.png'] * len(times) if folder else None

    def __iter__(self):
        for i, t in enumerate(self.times):
            yield t, lambda i=i: np.full((2, 2, 3), i, np.uint8)


def indices(frames):
    return [int(f[0, 0, 0]) for f in frames]


def test_sample_seconds_folder_rule():
    # 0.4 s apart: frames 0..7 at 0, .4, ..., 2.8; D = 3.2 -> 3 seconds;
    # last frame before 1 s is #2 (0.8), before 2 s #4 (1.6), before 3 #7
    frames, times, duration = sample_seconds(
        FakeSource([0.4 * i for i in range(8)], fps=2.5, folder=True))
    assert indices(frames) == [2, 4, 7]
    np.testing.assert_allclose(times, [0.8, 1.6, 2.8])
    assert duration == pytest.approx(3.2)
    # a gap longer than a second: the frame before it serves both seconds
    frames, _, _ = sample_seconds(
        FakeSource([0, 0.5, 2.5, 3.0], fps=2, folder=True))
    assert indices(frames) == [1, 1, 2]


@pytest.mark.parametrize(
    'fps, num, expected',
    [
        # fi = 25: int(25 l + 23.4375)
        (25, 100, [23, 48, 73, 98]),
        # fi = round(29.97) = 30: int(30 l + 28.125)
        (29.97, 90, [28, 58, 88]),
        # fi = 4: int(4 l + 3.75)
        (4, 12, [3, 7, 11]),
        # fi = 2: int(2 l + 1.875), the last frame of each second
        (2, 5, [1, 3]),
    ])
def test_sample_seconds_official_rule(fps, num, expected):
    """Video files: frame int(l * fi + 15 / 16 * fi) of second l, by decode
    index (official AVSBench preprocess_s4.py)."""
    frames, times, duration = sample_seconds(
        FakeSource([i / fps for i in range(num)], fps))
    assert indices(frames) == expected
    np.testing.assert_allclose(times, np.array(expected) / fps)
    assert duration == pytest.approx(num / fps)


def test_sample_seconds_official_rule_clamps():
    # 6 frames at fps 4 but lasting 3 s: second 0 -> #3; #7 and #11 do not
    # exist -> the last decoded frame #5; times do not matter
    frames, times, _ = sample_seconds(
        FakeSource([0, 0.25, 0.5, 0.75, 1.0, 2.75], fps=4))
    assert indices(frames) == [3, 5, 5]
    np.testing.assert_allclose(times, [0.75, 2.75, 2.75])


@pytest.mark.parametrize('fps, seconds, ext, expected', [
    (25, 3.5, 'mp4', [23, 48, 73]),
    (30, 3, 'mkv', [28, 58, 88]),
])
def test_read_video_official_frames(tmp_path, fps, seconds, ext, expected):
    """Generated videos whose frames show their index in binary."""
    path = write_video(
        tmp_path / f'v.{ext}',
        seconds=seconds,
        fps=fps,
        image=index_image,
        audio=False)
    # the writer draws what it means to
    assert all(read_index(index_image(i, fps, 64)) == i for i in range(99))
    clip = load_av_clip(path, silent_ok=True)
    assert [read_index(f) for f in clip.frames] == expected
    np.testing.assert_allclose(
        clip.timestamps, np.array(expected) / fps, atol=1e-3)


@pytest.mark.parametrize('ext', ['mp4', 'mkv', 'webm', 'avi'])
def test_read_containers(tmp_path, ext):
    clip = load_av_clip(write_video(tmp_path / f'v.{ext}'))
    assert clip.num_seconds == 6 and clip.has_audio
    np.testing.assert_allclose(clip.timestamps, np.arange(6) + 0.5)
    assert clip.duration == pytest.approx(6.0)
    # second k shows frame 2k+1 (2 fps), not its neighbours
    for k in (0, 3):
        err = [
            np.abs(clip.frames[k][..., ::-1].astype(float) -
                   frame_image(i, 2, 64)).mean() for i in (2 * k, 2 * k + 1)
        ]
        assert err[1] < err[0]
    # the tone alternates 440 / 880 Hz every second
    sr = clip.sample_rate
    for k, freq in ((0, 440), (1, 880), (4, 440)):
        seg = clip.audio_of_second(k)[0]
        peak = np.argmax(np.abs(np.fft.rfft(seg))) * sr / len(seg)
        assert abs(peak - freq) <= 2, (k, peak)


def test_frame_folder_with_wav(tmp_path):
    folder = tmp_path / 'clip'
    folder.mkdir()
    for i in range(4):  # AVSBench naming: name_1.png .. name_4.png
        mmcv.imwrite(frame_image(i, 1, 16)[..., ::-1],
                     str(folder / f'clip_{i + 1}.png'))
    sf.write(str(folder / 'clip.wav'), tone(4), SAMPLE_RATE)
    clip = load_av_clip(str(folder))
    assert clip.num_seconds == 4 and clip.fps == 1
    # frames are already one per second, kept as they are: frame i is the
    # frame of second i
    for i in range(4):
        np.testing.assert_array_equal(clip.frames[i][..., ::-1],
                                      frame_image(i, 1, 16))
    assert clip.waveform.shape == (1, 4 * SAMPLE_RATE)
    # several wavs: ambiguous
    shutil.copy(folder / 'clip.wav', folder / 'other.wav')
    with pytest.raises(ValueError, match='several audio files'):
        load_av_clip(str(folder))
    clip = load_av_clip(str(folder), audio=str(folder / 'other.wav'))
    assert clip.has_audio


def test_no_audio(tmp_path):
    path = write_video(tmp_path / 'mute.mp4', seconds=3, audio=False)
    with pytest.raises(NoAudioError, match='mute.mp4 has no audio track'):
        load_av_clip(path)
    clip = load_av_clip(path, silent_ok=True)
    assert not clip.has_audio and clip.num_seconds == 3
    assert not clip.waveform.any() and clip.waveform.shape[1] >= 3 * 16000


def test_bad_inputs(tmp_path, video_mp4):
    with pytest.raises(FileNotFoundError, match='missing.mp4'):
        load_av_clip(str(tmp_path / 'missing.mp4'))
    empty = tmp_path / 'empty.mp4'
    empty.write_bytes(b'')
    with pytest.raises(VideoDecodeError, match='empty'):
        load_av_clip(str(empty))
    text = tmp_path / 'notes.mp4'
    text.write_text('not a video at all\n' * 20)
    with pytest.raises(VideoDecodeError, match='notes.mp4'):
        load_av_clip(str(text))
    corrupt = tmp_path / 'corrupt.mp4'
    data = open(video_mp4, 'rb').read()
    corrupt.write_bytes(data[:len(data) // 3])  # truncated: no index
    with pytest.raises(VideoDecodeError, match='corrupt.mp4'):
        load_av_clip(str(corrupt))
    wav = tmp_path / 'sound.wav'
    sf.write(str(wav), tone(2), SAMPLE_RATE)
    with pytest.raises(VideoDecodeError, match='no video stream'):
        load_av_clip(str(wav))
    short = write_video(tmp_path / 'short.mp4', seconds=0.5)
    with pytest.raises(VideoDecodeError, match='at least one second'):
        load_av_clip(short)
    (tmp_path / 'no_frames').mkdir()
    with pytest.raises(FileNotFoundError, match='No frame'):
        load_av_clip(osp.join(str(tmp_path), 'no_frames'))


@pytest.mark.parametrize('shift', [0, 5, -3, -12])
def test_audio_track_reads_in_order(shift):
    """Blocks of any sizes, shifted, read in pieces of any size: the same
    samples as slicing the whole shifted waveform, zeros past its end."""
    rng = np.random.default_rng(0)
    wave = rng.standard_normal((2, 40)).astype(np.float32)
    cuts = [0, 7, 8, 20, 33, 40]
    blocks = [wave[:, a:b] for a, b in zip(cuts, cuts[1:])]
    track = AudioTrack(shift_blocks(iter(blocks), shift), 8, 2)
    ref = np.pad(wave, ((0, 0), (shift, 0))) if shift >= 0 else \
        wave[:, -shift:]
    ref = np.pad(ref, ((0, 0), (0, 60 - ref.shape[1])))
    got = []
    for size in (3, 10, 1, 25, 21):
        piece = track.read(size)
        assert piece.shape == (2, size) and piece.dtype == np.float32
        got.append(piece)
    np.testing.assert_array_equal(np.concatenate(got, axis=1), ref)
    # unpadded reads stop at the end of the track
    track = AudioTrack(shift_blocks(iter(blocks), shift), 8, 2)
    assert track.read(100, pad=False).shape == (2, 40 + shift)
    assert track.read(5, pad=False).shape == (2, 0)


def test_second_sampler_holds_one_second():
    """A second is handed on once a frame shows the video lasts past its
    end: at 4 fps the frame of second l is #4l + 3 (l + 0.75 s, the video
    lasts at least l + 1 s) and is yielded as soon as it has decoded; at 3
    fps (fi = 3: frames #3l + 2) also, and the 1.5 s left after second 3
    are not sampled."""
    decoded = []

    class Counting(FakeSource):

        def __iter__(self):
            for item in super().__iter__():
                decoded.append(item[0])
                yield item

    sampler = SecondSampler(Counting([i / 4 for i in range(22)], fps=4))
    seen = [(int(frame[0, 0, 0]), len(decoded)) for frame, _ in sampler]
    assert seen == [(3, 4), (7, 8), (11, 12), (15, 16), (19, 20)]
    assert sampler.duration == pytest.approx(5.5)
    # at 25 fps the frame of second l (#25l + 23, l + 0.92 s) waits for the
    # next one (l + 0.96 s: the video lasts past l + 1 s)
    decoded.clear()
    sampler = SecondSampler(Counting([i / 25 for i in range(80)], fps=25))
    seen = [(int(frame[0, 0, 0]), len(decoded)) for frame, _ in sampler]
    assert seen == [(23, 25), (48, 50), (73, 75)]
