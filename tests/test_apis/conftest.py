# Copyright (c) mmavs contributors. All rights reserved.
import pytest
import torch
from video_utils import TINY_CONFIG, write_video

from mmavs.apis import init_model
from mmavs.apis.video_io import FrameSource


@pytest.fixture(scope='session')
def video_mp4(tmp_path_factory) -> str:
    """64x64, 6 s, 2 fps H.264 + AAC mp4."""
    return write_video(tmp_path_factory.mktemp('video') / 'clip.mp4')


@pytest.fixture(scope='session')
def model():
    """The tiny TPAVI with random weights; the fusion weights are drawn
    large so that the audio changes the output."""
    torch.manual_seed(0)
    model = init_model(TINY_CONFIG)
    for p in model.fusion.parameters():
        torch.nn.init.normal_(p, std=0.5)
    return model


@pytest.fixture
def decoded(monkeypatch) -> list:
    """Times of the frames that every :class:`FrameSource` has decoded
    so far."""
    times = []
    iterate = FrameSource.__iter__

    def counting(self):
        for item in iterate(self):
            times.append(item[0])
            yield item

    monkeypatch.setattr(FrameSource, '__iter__', counting)
    return times
