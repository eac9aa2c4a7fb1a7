# Copyright (c) mmavs contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform

from mmavs.registry import TRANSFORMS


@TRANSFORMS.register_module()
class AVSSampleFrames(BaseTransform):
    """Keep a random subset of a clip's frames (before loading).

    CAVP trains on single frames: every iteration takes one random labelled
    frame of each clip with its 1 s of audio. This also lets clips of
    different lengths (AVSBench-Semantics: 5 and 10 frames) share a batch.
    The kept frames stay in temporal order; audio front-ends read
    ``frame_indices`` and ``clip_num_frames`` to cut each frame's own audio
    window.

    Required Keys:

    - img_paths (list[str]): T frame files.
    - seg_map_paths (list[str | None], optional): T mask files.
    - num_frames (int): T.

    Modified Keys:

    - img_paths, seg_map_paths, num_frames (now ``num_frames`` of this
      transform)

    Added Keys:

    - frame_indices (list[int]): Kept frame indices in the clip.
    - clip_num_frames (int): T of the whole clip.

    Args:
        num_frames (int): Frames to keep. Defaults to 1.
        labelled_only (bool): Draw among frames with a mask only.
            Defaults to True.
    """

    def __init__(self,
                 num_frames: int = 1,
                 labelled_only: bool = True) -> None:
        if not isinstance(num_frames, int) or num_frames < 1:
            raise ValueError(
                f'num_frames must be a positive int, got {num_frames!r}.')
        self.num_frames = num_frames
        self.labelled_only = labelled_only

    def transform(self, results: dict) -> dict:
        """Draw the frames and slice the per-frame lists.

        Args:
            results (dict): A data info of the dataset.

        Returns:
            dict: ``results`` restricted to the drawn frames.
        """
        total = len(results['img_paths'])
        seg_paths = results.get('seg_map_paths')
        if 'frame_indices' in results:
            raise ValueError('AVSSampleFrames must run once, on the whole '
                             f"clip {results.get('clip_name')!r}.")
        candidates = list(range(total))
        if self.labelled_only and seg_paths is not None:
            candidates = [i for i in candidates if seg_paths[i] is not None]
        if len(candidates) < self.num_frames:
            raise ValueError(
                f"Clip {results.get('clip_name')!r} has {len(candidates)} "
                f'candidate frames, fewer than num_frames={self.num_frames}.')
        keep = sorted(
            np.random.choice(candidates, self.num_frames,
                             replace=False).tolist())
        results['img_paths'] = [results['img_paths'][i] for i in keep]
        if seg_paths is not None:
            results['seg_map_paths'] = [seg_paths[i] for i in keep]
        results['frame_indices'] = keep
        results['clip_num_frames'] = total
        results['num_frames'] = self.num_frames
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_frames={self.num_frames}, '
                f'labelled_only={self.labelled_only})')
