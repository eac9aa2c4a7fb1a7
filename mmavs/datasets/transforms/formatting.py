# Copyright (c) mmavs contributors. All rights reserved.
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.registry import TRANSFORMS

# meta keys that take a per-frame value
_FRAME_KEYS = ('img_path', 'seg_map_path', 'frame_index', 'labelled',
               'padded')


@TRANSFORMS.register_module()
class PackAVSInputs(BaseTransform):
    """Pack a clip into model inputs and one ``SegDataSample`` per frame.

    Output::

        {'inputs': {'imgs': uint8 Tensor (T, 3, H, W) (BGR),
                    'audio': float32 Tensor (T, ...)},   # if loaded
         'data_samples': [SegDataSample] * T}

    Each sample gets ``gt_sem_seg = PixelData(data=int64 Tensor (1, H, W))``
    when ``gt_masks`` is present, and the ``meta_keys`` found in the results.
    Per-frame meta keys: ``img_path`` (``img_paths[t]``), ``seg_map_path``
    (``seg_map_paths[t]``), ``frame_index`` (t, 0-based) and ``labelled``
    (``frame_labelled[t]``; False when no masks were loaded),
    ``padded`` (``padded_frames[t]`` of :class:`AVSPadClip`, if present) and
    ``audio_labels`` (``audio_labels[t]``, if present). ``flip`` and
    ``flip_direction`` default to False and None when no flip ran. Other
    keys are copied from the results as-is.

    Required Keys:

    - imgs (list[np.ndarray]): T uint8 arrays of shape (H, W, 3).
    - audio (np.ndarray, optional): float array of shape (T, ...).
    - gt_masks (list[np.ndarray], optional): T arrays of shape (H, W).
    - frame_labelled (list[bool], optional)
    - padded_frames (list[bool], optional)
    - img_paths, seg_map_paths, and the clip-level ``meta_keys``.

    Added Keys:

    - inputs (dict[str, Tensor])
    - data_samples (list[SegDataSample])

    Args:
        meta_keys (Sequence[str]): Meta keys set on every sample.
            Defaults to ``('img_path', 'seg_map_path', 'ori_shape',
            'img_shape', 'scale_factor', 'flip', 'flip_direction',
            'clip_name', 'frame_index', 'num_frames', 'labelled',
            'audio_labels', 'padded')``.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = (
                     'img_path', 'seg_map_path', 'ori_shape', 'img_shape',
                     'scale_factor', 'flip', 'flip_direction', 'clip_name',
                     'frame_index', 'num_frames', 'labelled', 'audio_labels',
                     'padded')
                 ) -> None:
        self.meta_keys = tuple(meta_keys)

    @staticmethod
    def _imgs_to_tensor(imgs: Sequence[np.ndarray]) -> torch.Tensor:
        """T x (H, W, 3) uint8 arrays -> contiguous uint8 (T, 3, H, W)."""
        arr = np.stack(imgs).transpose(0, 3, 1, 2)
        return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.uint8))

    def _frame_meta(self, results: dict, t: int) -> dict:
        """Meta info of frame ``t``."""
        labelled = results.get('frame_labelled')
        per_frame = dict(
            img_path=results['img_paths'][t],
            seg_map_path=results['seg_map_paths'][t]
            if 'seg_map_paths' in results else None,
            frame_index=t,
            labelled=bool(labelled[t]) if labelled is not None else False)
        if 'padded_frames' in results:
            per_frame['padded'] = bool(results['padded_frames'][t])
        if 'audio_labels' in results:
            per_frame['audio_labels'] = list(results['audio_labels'][t])
        meta = dict(flip=False, flip_direction=None)
        meta.update({k: results[k] for k in self.meta_keys if k in results})
        meta.update(per_frame)
        return {k: meta[k] for k in self.meta_keys if k in meta}

    def transform(self, results: dict) -> dict:
        """Pack ``results``.

        Args:
            results (dict): Output of the loading/augmentation transforms.

        Returns:
            dict: ``inputs`` and ``data_samples`` (T samples).
        """
        if 'imgs' not in results:
            raise KeyError('PackAVSInputs needs "imgs"; add LoadAVSFrames '
                           'to the pipeline.')
        imgs = self._imgs_to_tensor(results['imgs'])
        T = imgs.shape[0]
        inputs = dict(imgs=imgs)
        if 'audio' in results:
            audio = results['audio']
            if isinstance(audio, np.ndarray):
                audio = np.ascontiguousarray(audio)
            audio = torch.as_tensor(audio, dtype=torch.float32)
            if audio.shape[0] != T:
                raise ValueError(
                    f"Clip {results.get('clip_name')!r}: audio has "
                    f'{audio.shape[0]} examples but the clip has {T} frames.')
            inputs['audio'] = audio.contiguous()
        masks = results.get('gt_masks')
        if masks is not None and len(masks) != T:
            raise ValueError(f"Clip {results.get('clip_name')!r}: "
                             f'{len(masks)} masks for {T} frames.')
        data_samples = []
        for t in range(T):
            sample = SegDataSample()
            if masks is not None:
                data = torch.from_numpy(masks[t][None].astype(np.int64))
                sample.gt_sem_seg = PixelData(data=data)
            sample.set_metainfo(self._frame_meta(results, t))
            data_samples.append(sample)
        return dict(inputs=inputs, data_samples=data_samples)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
