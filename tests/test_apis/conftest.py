# Copyright (c) mmavs contributors. All rights reserved.
import pytest
from video_utils import write_video


@pytest.fixture(scope='session')
def video_mp4(tmp_path_factory) -> str:
    """64x64, 6 s, 2 fps H.264 + AAC mp4."""
    return write_video(tmp_path_factory.mktemp('video') / 'clip.mp4')
