# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform

from mmavs.registry import TRANSFORMS


@TRANSFORMS.register_module()
class AVSPadClip(BaseTransform):
    """Pad a clip with blank frames and silent audio to a fixed length.

    The released AVSBench-Semantics code (``color_dataloader.py``) pads its
    5-frame clips (v1s, v1m) to 10 frames so that they batch with the
    10-frame v2 clips: the padded frames are all-zero normalised images
    with all-background labels, and the VGGish examples are padded with
    all-zero log-mel examples (also when a 10-frame clip's audio gives
    fewer than 10). Its model multiplies the features of padded frames by 0
    and its loss skips them.

    Here padded frames get black images, ``ignore_index`` masks and
    ``padded_frames[t] = True``; :class:`AVSDataPreprocessor` makes their
    normalised images 0 and :class:`AudioVisualSegmentor` zeroes their
    audio, visual and fused features and their logits, as the official
    model. Audio examples are padded with zeros independently of the
    frames.

    Required Keys:

    - imgs (list[np.ndarray]): T arrays of shape (H, W, 3).
    - img_paths (list[str]), num_frames (int)
    - gt_masks (list[np.ndarray], optional), seg_map_paths (optional),
      frame_labelled (optional)
    - audio (np.ndarray, optional): examples of shape (T_a, ...).

    Modified Keys:

    - imgs, img_paths, gt_masks, seg_map_paths, frame_labelled (padded
      entries: zeros, None, ``ignore_index``, None, False)
    - audio: zero-padded to ``num_frames`` examples
    - num_frames

    Added Keys:

    - padded_frames (list[bool]): True for the padded frames.

    Args:
        num_frames (int): Length to pad to. Defaults to 10.
        ignore_index (int): Mask value of padded frames. Defaults to 255.
    """

    def __init__(self, num_frames: int = 10, ignore_index: int = 255) -> None:
        if isinstance(num_frames, bool) or not isinstance(
                num_frames, int) or num_frames < 1:
            raise ValueError(
                f'num_frames must be a positive int, got {num_frames!r}.')
        self.num_frames = num_frames
        self.ignore_index = ignore_index

    def transform(self, results: dict) -> dict:
        """Pad the per-frame lists and the audio.

        Args:
            results (dict): A loaded clip.

        Returns:
            dict: The padded clip.
        """
        name = results.get('clip_name')
        num = len(results['imgs'])
        extra = self.num_frames - num
        if extra < 0:
            raise ValueError(f'AVSPadClip: clip {name!r} has {num} frames, '
                             f'more than num_frames={self.num_frames}.')
        img = results['imgs'][0]
        results['imgs'] = list(results['imgs']) + [
            np.zeros_like(img) for _ in range(extra)
        ]
        if 'gt_masks' in results:
            mask = results['gt_masks'][0]
            results['gt_masks'] = list(results['gt_masks']) + [
                np.full_like(mask, self.ignore_index) for _ in range(extra)
            ]
        for key, value in (('img_paths', None), ('seg_map_paths', None),
                           ('frame_labelled', False)):
            if key in results:
                results[key] = list(results[key]) + [value] * extra
        if 'audio' in results:
            results['audio'] = self._pad_audio(results['audio'], name)
        results['padded_frames'] = [False] * num + [True] * extra
        results['num_frames'] = self.num_frames
        return results

    def _pad_audio(self, audio: np.ndarray, name: str) -> np.ndarray:
        """(T_a, ...) -> (num_frames, ...) with zero examples appended."""
        audio = np.asarray(audio)
        if len(audio) > self.num_frames:
            raise ValueError(
                f'AVSPadClip: clip {name!r} has {len(audio)} audio examples, '
                f'more than num_frames={self.num_frames}.')
        pad = np.zeros((self.num_frames - len(audio), ) + audio.shape[1:],
                       dtype=audio.dtype)
        return np.concatenate([audio, pad])

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_frames={self.num_frames}, '
                f'ignore_index={self.ignore_index})')
