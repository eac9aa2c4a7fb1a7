# Copyright (c) mmavs contributors. All rights reserved.
import zlib

import numpy as np
from mmcv.transforms import BaseTransform

from mmavs.audio import require_finite
from mmavs.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PerturbAudio(BaseTransform):
    """Replace a clip's waveform by silence or white noise (a diagnostic: a
    model that listens should fail on it).

    - ``'silence'``: all samples 0.
    - ``'noise'``: white Gaussian noise, per channel with the RMS of the
      clip's own channel (so the loudness stays and the content goes), or
      ``noise_rms`` if given. The noise is seeded by ``seed`` and the clip
      name, so a clip gets the same noise in every run and worker.

    Put it after ``LoadAudio`` and before the audio front-end.

    Required Keys:

    - waveform (np.ndarray): float (C, L).
    - clip_name (str, optional): seeds the noise.

    Modified Keys:

    - waveform

    Args:
        mode (str): ``'silence'`` or ``'noise'``.
        noise_rms (float, optional): RMS of the noise. Defaults to None
            (the clip's).
        seed (int): Noise seed. Defaults to 0.
    """

    MODES = ('silence', 'noise')

    def __init__(self,
                 mode: str,
                 noise_rms: float = None,
                 seed: int = 0) -> None:
        if mode not in self.MODES:
            raise ValueError(f'PerturbAudio: mode must be one of '
                             f'{self.MODES}, got {mode!r}.')
        if noise_rms is not None and noise_rms < 0:
            raise ValueError(
                f'PerturbAudio: noise_rms must be >= 0, got {noise_rms}.')
        self.mode = mode
        self.noise_rms = noise_rms
        self.seed = seed

    def transform(self, results: dict) -> dict:
        """Replace ``results['waveform']``.

        Args:
            results (dict): Result dict with ``waveform``.

        Returns:
            dict: ``results`` with the perturbed waveform (float32).
        """
        if 'waveform' not in results:
            raise KeyError('PerturbAudio needs "waveform"; put it after '
                           'LoadAudio in the pipeline.')
        wave = np.asarray(results['waveform'], dtype=np.float32)
        require_finite(wave, results.get('audio_path', '<unknown file>'),
                       'samples')
        if self.mode == 'silence':
            results['waveform'] = np.zeros_like(wave)
            return results
        rms = np.sqrt(np.mean(np.square(wave, dtype=np.float64), axis=-1,
                              keepdims=True)) \
            if self.noise_rms is None else self.noise_rms
        name = str(results.get('clip_name', '')).encode()
        rng = np.random.default_rng([self.seed, zlib.crc32(name)])
        results['waveform'] = (rng.standard_normal(wave.shape) *
                               rms).astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(mode='{self.mode}', "
                f'noise_rms={self.noise_rms}, seed={self.seed})')
