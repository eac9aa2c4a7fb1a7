# Copyright (c) mmavs contributors. All rights reserved.
import os.path as osp
from typing import List, Optional, Sequence, Union

from mmengine.config import Config

from .inference import inference_video, init_model
from .results import VideoResult
from .video_writer import (write_areas_json, write_mask_pngs,
                           write_overlay_video)


class MMAVSInferencer:
    """Audio-visual segmentation of videos for scripts and notebooks, in
    the manner of mmseg's ``MMSegInferencer``.

    Example::

        >>> inferencer = MMAVSInferencer(CONFIG, CHECKPOINT, device='cpu')
        >>> out = inferencer('clip.mp4', out_dir='outputs')
        >>> out['predictions'][0].masks.shape        # (N, H, W)
        >>> out['visualization']                     # ['outputs/vis/clip.mp4']

    Args:
        model (str | Config): Config file or object.
        weights (str, optional): Checkpoint. Defaults to None.
        device (str): Device. Defaults to ``'cpu'``.
        alpha (float): Mask opacity of the drawn videos. Defaults to 0.5.
        cfg_options (dict, optional): Config overrides. Defaults to None.
    """

    def __init__(self,
                 model: Union[str, Config],
                 weights: Optional[str] = None,
                 device: str = 'cpu',
                 alpha: float = 0.5,
                 cfg_options: Optional[dict] = None) -> None:
        self.model = init_model(model, weights, device, cfg_options)
        self.alpha = alpha

    def __call__(self,
                 inputs: Union[str, Sequence[str]],
                 out_dir: Optional[str] = None,
                 silent_ok: bool = False,
                 with_attention: bool = False,
                 batch_size: int = 1,
                 progress: bool = False) -> dict:
        """Segment one or several videos (or frame folders).

        Args:
            inputs (str | Sequence[str]): Video files or frame folders.
            out_dir (str, optional): If set, write per input
                ``vis/<name>.mp4`` (masks overlaid, audio kept),
                ``pred/<name>/<name>_<second>.png`` and
                ``pred/<name>.json`` (per-frame areas). Defaults to None.
            silent_ok (bool): Accept inputs without audio (silence).
                Defaults to False.
            with_attention (bool): Record attention maps.
                Defaults to False.
            batch_size (int): Windows per forward pass. Defaults to 1.
            progress (bool): Show progress bars. Defaults to False.

        Returns:
            dict: ``predictions`` (list of :class:`VideoResult`) and
            ``visualization`` (the written videos; empty without
            ``out_dir``).
        """
        inputs = [inputs] if isinstance(inputs, str) else list(inputs)
        predictions: List[VideoResult] = []
        videos: List[str] = []
        for path in inputs:
            result = inference_video(
                self.model,
                path,
                silent_ok=silent_ok,
                batch_size=batch_size,
                with_attention=with_attention,
                progress=progress)
            predictions.append(result)
            if out_dir is not None:
                videos.append(self._save(result, path, out_dir, progress))
        return dict(predictions=predictions, visualization=videos)

    def _save(self, result: VideoResult, path: str, out_dir: str,
              progress: bool) -> str:
        stem = osp.splitext(osp.basename(path.rstrip('/')))[0]
        write_mask_pngs(result, osp.join(out_dir, 'pred', stem))
        write_areas_json(result, osp.join(out_dir, 'pred', f'{stem}.json'))
        return write_overlay_video(
            result,
            osp.join(out_dir, 'vis', f'{stem}.mp4'),
            self.alpha,
            progress=progress)
