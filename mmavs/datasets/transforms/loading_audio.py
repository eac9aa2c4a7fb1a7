# Copyright (c) mmavs contributors. All rights reserved.
"""Transforms that load audio and turn it into VGGish log-mel examples."""
import os
import zipfile
from typing import Any, Optional

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmavs.audio import (load_wav, pad_or_cut_examples, require_finite,
                         waveform_to_log_mel, waveform_to_vggish_examples)
from mmavs.registry import TRANSFORMS
from mmavs.utils import UnsafePickleError, load_pickle, torch_load

#: Shape of one VGGish example: (channels, frames, mel bands).
VGGISH_EXAMPLE_SHAPE = (1, 96, 64)


def _check_num_examples(num_examples: Optional[int], name: str) -> None:
    """Raise if ``num_examples`` is neither None nor a positive int."""
    if num_examples is None:
        return
    if isinstance(num_examples, bool) or not isinstance(num_examples, int) \
            or num_examples < 1:
        raise ValueError(f'{name}: num_examples must be a positive int or '
                         f'None, got {num_examples!r}.')


def _audio_source(results: dict) -> str:
    """The audio file of ``results``, for error messages."""
    return results.get('audio_path', '<unknown file>')


def _require(results: dict, key: str, name: str) -> Any:
    """Return ``results[key]``, raising a KeyError naming the transform."""
    if key not in results:
        raise KeyError(f"{name} requires the key '{key}' in results; got "
                       f'keys {sorted(results)}.')
    return results[key]


@TRANSFORMS.register_module()
class LoadAudio(BaseTransform):
    """Load the clip's audio file as a float waveform.

    The file is read with :func:`mmavs.audio.load_wav`: 16-bit PCM is scaled
    by 1 / 32768, other encodings are decoded to float32; channels are kept.

    Required Keys:

    - audio_path (str): Path of the audio file (.wav).

    Added Keys:

    - waveform (np.ndarray): float32 samples in [-1, 1] with shape (C, L),
      channels first.
    - sample_rate (int): Sample rate of the file in Hz.

    Args:
        expected_sample_rate (int, optional): If given, a file with another
            sample rate raises a ValueError naming the file. Defaults to None
            (any rate is accepted).
    """

    def __init__(self, expected_sample_rate: Optional[int] = None) -> None:
        if expected_sample_rate is not None and expected_sample_rate <= 0:
            raise ValueError('expected_sample_rate must be positive or None, '
                             f'got {expected_sample_rate}.')
        self.expected_sample_rate = expected_sample_rate

    def transform(self, results: dict) -> dict:
        """Load the waveform.

        Args:
            results (dict): Result dict with ``audio_path``.

        Returns:
            dict: ``results`` with ``waveform`` and ``sample_rate`` added.
        """
        path = _require(results, 'audio_path', self.__class__.__name__)
        waveform, sample_rate = load_wav(path)
        if self.expected_sample_rate is not None and \
                sample_rate != self.expected_sample_rate:
            raise ValueError(
                f'Audio file {path} has sample rate {sample_rate} Hz, but '
                f'{self.expected_sample_rate} Hz is expected.')
        results['waveform'] = waveform
        results['sample_rate'] = sample_rate
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'expected_sample_rate={self.expected_sample_rate})')


@TRANSFORMS.register_module()
class ComputeVGGishExamples(BaseTransform):
    """Compute VGGish log-mel examples from a loaded waveform.

    Uses :func:`mmavs.audio.waveform_to_vggish_examples` (mono mix,
    resampling to 16 kHz, the reference VGGish log-mel, 0.96 s examples).

    Required Keys:

    - waveform (np.ndarray | Tensor): Samples with shape (C, L) or (L, ).
    - sample_rate (int): Sample rate of ``waveform`` in Hz.

    Added Keys:

    - audio (np.ndarray): float32 log-mel examples with shape
      (T, 1, 96, 64).

    Args:
        num_examples (int, optional): Number T of examples to output, one per
            video frame; fewer are padded by repeating the last, more are
            cut. None keeps all examples of the clip. Defaults to 5
            (AVSBench: 5 s clips, 5 frames).
    """

    def __init__(self, num_examples: Optional[int] = 5) -> None:
        _check_num_examples(num_examples, self.__class__.__name__)
        self.num_examples = num_examples

    def transform(self, results: dict) -> dict:
        """Compute the examples.

        Args:
            results (dict): Result dict with ``waveform`` and
                ``sample_rate``.

        Returns:
            dict: ``results`` with ``audio`` added.
        """
        name = self.__class__.__name__
        waveform = _require(results, 'waveform', name)
        sample_rate = _require(results, 'sample_rate', name)
        try:
            examples = waveform_to_vggish_examples(waveform, sample_rate,
                                                   self.num_examples)
        except ValueError as err:
            raise ValueError(
                f'{name} failed for {_audio_source(results)}: {err}') from err
        results['audio'] = examples.cpu().numpy()
        require_finite(results['audio'], _audio_source(results),
                       f'{name} values')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'num_examples={self.num_examples})')


def load_log_mel_file(path: str) -> np.ndarray:
    """Load a precomputed log-mel file as float32.

    Accepts a ``pickle.dump`` of a torch tensor or numpy array (the official
    AVSBench ``.pkl`` files) and a ``torch.save`` file.

    Args:
        path (str): File path.

    Returns:
        np.ndarray: The stored array, as float32.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The file cannot be read, holds no tensor / array or
            holds NaN or infinite values.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f'Log-mel file not found: {path}')
    try:
        if zipfile.is_zipfile(path):
            data = torch_load(path, map_location='cpu')
        else:
            data = load_pickle(path)
    except UnsafePickleError:
        raise
    except Exception as err:
        raise ValueError(
            f'Log-mel file could not be loaded: {path} ({err})') from err
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    if not isinstance(data, np.ndarray):
        raise ValueError(f'Log-mel file {path} holds a '
                         f'{type(data).__name__}, expected a tensor or '
                         'array with shape (T, 1, 96, 64).')
    data = data.astype(np.float32)
    require_finite(data, f'Log-mel file {path}', 'values')
    return data


@TRANSFORMS.register_module()
class LoadVGGishExamples(BaseTransform):
    """Load precomputed VGGish log-mel examples (official AVSBench ``.pkl``).

    AVSBench ships, per clip, a pickled float tensor with shape
    (5, 1, 96, 64) made by the VGGish reference front-end. Files written by
    ``pickle.dump`` or ``torch.save`` of a tensor (or numpy array) are read;
    unpickling is restricted to tensors and arrays.

    Required Keys:

    - log_mel_path (str): Path of the log-mel file.

    Added Keys:

    - audio (np.ndarray): float32 log-mel examples with shape
      (T, 1, 96, 64).

    Args:
        num_examples (int, optional): Number T of examples to output; fewer
            stored examples are padded by repeating the last, more are cut.
            None keeps what the file holds. Defaults to 5.
    """

    def __init__(self, num_examples: Optional[int] = 5) -> None:
        _check_num_examples(num_examples, self.__class__.__name__)
        self.num_examples = num_examples

    def transform(self, results: dict) -> dict:
        """Load the examples.

        Args:
            results (dict): Result dict with ``log_mel_path``.

        Returns:
            dict: ``results`` with ``audio`` added.
        """
        path = _require(results, 'log_mel_path', self.__class__.__name__)
        examples = load_log_mel_file(path)
        if examples.ndim != 4 or examples.shape[0] < 1 or \
                tuple(examples.shape[1:]) != VGGISH_EXAMPLE_SHAPE:
            raise ValueError(
                f'Log-mel file {path} holds shape {tuple(examples.shape)}, '
                'expected (T, 1, 96, 64) with T >= 1.')
        if self.num_examples is not None:
            examples = pad_or_cut_examples(
                torch.from_numpy(examples), self.num_examples).numpy()
        results['audio'] = np.ascontiguousarray(examples)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'num_examples={self.num_examples})')


@TRANSFORMS.register_module()
class ComputeLogMel(BaseTransform):
    """Compute CAVP's per-frame log-mel spectrograms (mono or stereo).

    See :func:`mmavs.audio.waveform_to_log_mel`: each video frame gets the
    log-mel of a ``window_seconds`` window centred on its share of the clip
    (64 mel bands, 16 kHz, 10 ms hop, dB mapped to [-1, 1]). After
    :class:`AVSSampleFrames` only the kept frames (``frame_indices`` of a
    clip of ``clip_num_frames``) are computed.

    Required Keys:

    - waveform (np.ndarray | Tensor): Samples with shape (C, L).
    - sample_rate (int): Sample rate of ``waveform`` in Hz.
    - num_frames (int): T, frames of the clip.
    - frame_indices (list[int], optional), clip_num_frames (int, optional)

    Added Keys:

    - audio (np.ndarray): float32 with shape (T, C, num_time_frames, 64),
      C = 2 if ``stereo`` else 1.

    Args:
        window_seconds (float): Audio per frame: 1.0 (AVSBench) or 3.0
            (VPO). Defaults to 1.0.
        num_time_frames (int, optional): Spectrogram frames kept per window;
            CAVP keeps 96 of the 101 of 1 s and 300 of the 301 of 3 s.
            Defaults to 96.
        stereo (bool): Keep the two channels of a stereo file (a file with
            another channel count raises); False averages to mono.
            Defaults to False.
        crop_seconds (float, optional): The official CAVP loaders' audio
            instead of centred windows: a ``crop_seconds`` crop around the
            clip's middle cut into ``num_chunks`` chunks, chunk t for
            frame t (:func:`mmavs.audio.cavp_crop_chunks`). Defaults to
            None.
        num_chunks (int, optional): Chunks of the crop (CAVP: 10 on
            AVSBench-Semantics, whose loader pads clips to 10 frames; 5 on
            AVSBench-Object). Defaults to None (the clip's frame count).
    """

    def __init__(self,
                 window_seconds: float = 1.0,
                 num_time_frames: Optional[int] = 96,
                 stereo: bool = False,
                 crop_seconds: Optional[float] = None,
                 num_chunks: Optional[int] = None) -> None:
        if window_seconds <= 0:
            raise ValueError(
                f'window_seconds must be positive, got {window_seconds}.')
        _check_num_examples(num_time_frames, self.__class__.__name__)
        self.window_seconds = window_seconds
        self.num_time_frames = num_time_frames
        self.stereo = stereo
        self.crop_seconds = crop_seconds
        self.num_chunks = num_chunks

    def transform(self, results: dict) -> dict:
        """Compute the spectrograms.

        Args:
            results (dict): Result dict with ``waveform``, ``sample_rate``
                and ``num_frames``.

        Returns:
            dict: ``results`` with ``audio`` added.
        """
        name = self.__class__.__name__
        waveform = torch.as_tensor(_require(results, 'waveform', name))
        sample_rate = _require(results, 'sample_rate', name)
        num_frames = results.get('clip_num_frames',
                                 _require(results, 'num_frames', name))
        try:
            audio = waveform_to_log_mel(
                waveform,
                sample_rate,
                num_frames,
                window_seconds=self.window_seconds,
                num_time_frames=self.num_time_frames,
                stereo=self.stereo,
                frame_indices=results.get('frame_indices'),
                crop_seconds=self.crop_seconds,
                num_chunks=self.num_chunks)
        except ValueError as err:
            raise ValueError(
                f'{name} failed for {_audio_source(results)}: {err}') from err
        results['audio'] = audio.numpy()
        require_finite(results['audio'], _audio_source(results),
                       f'{name} values')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'window_seconds={self.window_seconds}, '
                f'num_time_frames={self.num_time_frames}, '
                f'stereo={self.stereo}, '
                f'crop_seconds={self.crop_seconds}, '
                f'num_chunks={self.num_chunks})')
