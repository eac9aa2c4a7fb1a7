# Copyright (c) mmavs contributors. All rights reserved.
import av
import numpy as np
import pytest
from video_utils import write_video

from mmavs.apis import load_av_clip
from mmavs.apis.video_io import FrameSource, open_audio
from mmavs.apis.video_writer import OverlayVideoWriter

GREEN = [(0, 0, 0), (0, 255, 0)]


def test_overlay_writer_draws_masks_as_they_come(tmp_path, decoded):
    """3.5 s at 4 fps: the 4 frames of second k get mask k as soon as it is
    given; the trailing half second keeps the last mask; the audio is the
    source's."""
    path = write_video(tmp_path / 'in.mkv', seconds=3.5, fps=4, size=32)
    source = FrameSource(path)
    ones, zeros = np.ones((32, 32), np.uint8), np.zeros((32, 32), np.uint8)
    out = tmp_path / 'out.mp4'
    with OverlayVideoWriter(
            str(out), source, GREEN, alpha=1.0,
            audio=open_audio(source)) as writer:
        assert not out.exists()
        writer.write(ones)
        # the frames of [0, 1) s and the next one, to know they ended
        assert decoded == [0, 0.25, 0.5, 0.75, 1.0]
        writer.write(zeros)
        writer.write(ones)
        assert len(decoded) == 13  # up to 3.0 s
        writer.close(3.5)
    with av.open(str(out)) as container:
        assert container.duration / 1e6 == pytest.approx(3.5, abs=0.05)
        frames = [f.to_ndarray(format='rgb24').reshape(-1, 3).mean(0)
                  for f in container.decode(video=0)]
    assert len(frames) == 14
    green = [bool(f[1] > 200 and f[0] < 60) for f in frames]
    assert green == [True] * 4 + [False] * 4 + [True] * 6
    # the tone alternates 440 / 880 Hz every second (AAC re-encoded)
    clip = load_av_clip(str(out))
    for k, freq in ((0, 440), (1, 880), (2, 440)):
        seg = clip.audio_of_second(k)[0]
        peak = np.argmax(np.abs(np.fft.rfft(seg))) * clip.sample_rate / len(
            seg)
        assert abs(peak - freq) <= 2, (k, peak)


def test_overlay_writer_removes_incomplete_file(tmp_path):
    path = write_video(tmp_path / 'in.mp4', seconds=12, fps=4, size=32)
    out = tmp_path / 'out.mp4'
    with pytest.raises(ValueError, match='stop'):
        with OverlayVideoWriter(str(out), FrameSource(path), GREEN) as w:
            for _ in range(12):  # more frames than the encoder buffers
                w.write(np.ones((32, 32), np.uint8))
            assert out.exists()
            raise ValueError('stop')
    assert not out.exists()
    with pytest.raises(RuntimeError, match='no mask'):
        with OverlayVideoWriter(str(out), FrameSource(path), GREEN) as w:
            w.close(2.0)
    assert not out.exists()
