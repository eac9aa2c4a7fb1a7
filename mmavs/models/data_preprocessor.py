# Copyright (c) mmavs contributors. All rights reserved.
from typing import List, Optional, Sequence, Union

import torch
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

from mmavs.registry import MODELS


@MODELS.register_module()
class AVSDataPreprocessor(BaseDataPreprocessor):
    """Batch clips of frames and audio for audio-visual segmentors.

    Takes the output of ``avs_collate``: ``inputs`` is a dict with ``imgs``
    (B tensors of shape (T, 3, H, W)) and ``audio`` (B tensors of shape
    (T, ...)), ``data_samples`` a flat, clip-major list of B*T
    :obj:`SegDataSample`. Moves them to the model's device, stacks them,
    converts BGR to RGB and normalises the frames. Frames are not padded: the
    pipeline must give every clip of a batch the same size. Frames whose
    sample has ``padded=True`` (:class:`AVSPadClip`) become 0 after
    normalisation (the official AVSBench-Semantics padding), and
    ``inputs['frame_mask']`` (B, T) (1 = real frame, 0 = padded) tells the
    segmentor which they are.

    Args:
        mean (Sequence[float], optional): Per-channel mean of the frames
            (after the BGR to RGB conversion). Defaults to None.
        std (Sequence[float], optional): Per-channel std. Defaults to None.
        bgr_to_rgb (bool): Reverse the channel order. Defaults to False.
        non_blocking (bool): Asynchronous host-to-device copies.
            Defaults to False.
    """

    def __init__(self,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 bgr_to_rgb: bool = False,
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking=non_blocking)
        if (mean is None) != (std is None):
            raise ValueError('mean and std must be given together')
        self._normalize = mean is not None
        if self._normalize:
            self.register_buffer('mean', torch.tensor(mean).view(-1, 1, 1),
                                 False)
            self.register_buffer('std', torch.tensor(std).view(-1, 1, 1),
                                 False)
        self.bgr_to_rgb = bgr_to_rgb

    def forward(self, data: dict, training: bool = False) -> dict:
        """Stack and normalise a batch.

        Returns:
            dict: ``inputs`` with ``imgs`` of shape (B, T, 3, H, W) (float),
            ``audio`` of shape (B, T, ...) (float) and, if a frame is
            padded, ``frame_mask`` of shape (B, T) (float), and the flat
            ``data_samples`` with ``batch_input_shape`` set.
        """
        data = self.cast_data(data)
        inputs, data_samples = data['inputs'], data.get('data_samples')
        imgs = _stack(inputs['imgs'], 'imgs').float()
        audio = _stack(inputs['audio'], 'audio').float()
        if imgs.dim() != 5 or imgs.shape[2] != 3:
            raise ValueError('imgs must be of shape (B, T, 3, H, W), got '
                             f'{tuple(imgs.shape)}')
        if audio.shape[:2] != imgs.shape[:2]:
            raise ValueError(f'audio of shape {tuple(audio.shape)} does not '
                             f'match imgs of shape {tuple(imgs.shape)}')
        if self.bgr_to_rgb:
            imgs = imgs.flip(2)
        if self._normalize:
            imgs = (imgs - self.mean) / self.std
        inputs = dict(imgs=imgs, audio=audio)
        if data_samples is not None:
            num_frames = imgs.shape[0] * imgs.shape[1]
            if len(data_samples) != num_frames:
                raise ValueError(f'{len(data_samples)} data samples for '
                                 f'{num_frames} frames')
            for sample in data_samples:
                sample.set_metainfo(
                    dict(batch_input_shape=tuple(imgs.shape[-2:])))
            padded = [bool(s.metainfo.get('padded')) for s in data_samples]
            if any(padded):
                mask = imgs.new_tensor([not p for p in padded])
                inputs['frame_mask'] = mask.view(imgs.shape[:2])
                inputs['imgs'] = imgs * inputs['frame_mask'][..., None, None,
                                                             None]
        return dict(inputs=inputs, data_samples=data_samples)


def _stack(batch: Union[Tensor, List[Tensor]], key: str) -> Tensor:
    """Stack a list of per-clip tensors, naming ``key`` on a mismatch."""
    if isinstance(batch, Tensor):
        return batch
    shapes = {tuple(x.shape) for x in batch}
    if len(shapes) != 1:
        raise ValueError(f'clips of a batch differ in {key} shape: '
                         f'{sorted(shapes)}; resize them to one size in the '
                         'pipeline')
    return torch.stack(batch)
