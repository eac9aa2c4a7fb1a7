# Copyright (c) mmavs contributors. All rights reserved.
"""Open a video file with PyAV, with clear errors for bad files."""
import os.path as osp

import av


class VideoDecodeError(ValueError):
    """A video file exists but cannot be decoded."""


class NoAudioError(ValueError):
    """A video has no audio track (and silence was not allowed)."""


def open_video_file(path: str) -> 'av.container.InputContainer':
    """Open a video file, raising clear errors for bad files."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Video file not found: {path}')
    if osp.getsize(path) == 0:
        raise VideoDecodeError(f'Video file is empty (0 bytes): {path}')
    try:
        container = av.open(path)
    except av.FFmpegError as err:
        raise VideoDecodeError(
            f'Not a readable video file (corrupt or unsupported '
            f'container): {path} ({err})') from err
    if not container.streams.video:
        container.close()
        raise VideoDecodeError(f'{path} has no video stream.')
    return container
