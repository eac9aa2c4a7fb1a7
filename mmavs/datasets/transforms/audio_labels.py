# Copyright (c) mmavs contributors. All rights reserved.
from typing import List

import numpy as np
from mmcv.transforms import BaseTransform

from mmavs.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ComputeAudioLabels(BaseTransform):
    """List, per frame, the sounding classes of a multi-class clip.

    In AVSBench-Semantics a mask labels exactly the objects that sound, so
    the classes of frame ``t``'s mask (background and ``ignore_index``
    excluded) are the classes heard in its audio window. A frame without a
    label (``frame_labelled[t]`` False, e.g. frames 1-4 of a v1s training
    clip) gets the union over the clip's labelled frames: v1s clips have a
    single source sounding for the whole clip.

    Placed after the geometric transforms, the labels describe what is left
    in the crop, as the CAVP code (``class_label`` from the augmented
    label); placed before them, the whole frame.

    Required Keys:

    - gt_masks (list[np.ndarray]): T arrays of shape (H, W), class indices.
    - frame_labelled (list[bool], optional): Defaults to all True.

    Added Keys:

    - audio_labels (list[list[int]]): T sorted lists of class indices.

    Args:
        background_index (int): Index of the background class.
            Defaults to 0.
        ignore_index (int): Ignored mask value. Defaults to 255.
    """

    def __init__(self,
                 background_index: int = 0,
                 ignore_index: int = 255) -> None:
        self.background_index = background_index
        self.ignore_index = ignore_index

    def _frame_labels(self, mask: np.ndarray) -> List[int]:
        classes = np.unique(mask)
        keep = (classes != self.background_index) & \
            (classes != self.ignore_index)
        return classes[keep].tolist()

    def transform(self, results: dict) -> dict:
        """Compute ``audio_labels``.

        Args:
            results (dict): Must hold ``gt_masks``.

        Returns:
            dict: ``results`` with ``audio_labels``.
        """
        if 'gt_masks' not in results:
            raise KeyError('ComputeAudioLabels needs "gt_masks"; load the '
                           'masks first (LoadAVSSemanticAnnotations).')
        masks = results['gt_masks']
        labelled = results.get('frame_labelled', [True] * len(masks))
        labels = [
            self._frame_labels(m) if ok else None
            for m, ok in zip(masks, labelled)
        ]
        union = sorted({c for frame in labels if frame for c in frame})
        results['audio_labels'] = [
            frame if frame is not None else list(union) for frame in labels
        ]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'background_index={self.background_index}, '
                f'ignore_index={self.ignore_index})')
