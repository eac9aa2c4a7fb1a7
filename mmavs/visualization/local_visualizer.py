# Copyright (c) mmavs contributors. All rights reserved.
from typing import Optional, Sequence

import numpy as np
from mmengine.dist import master_only
from mmseg.structures import SegDataSample
from mmseg.visualization import SegLocalVisualizer
from torch import Tensor

from mmavs.registry import VISUALIZERS
from .overlay import attention_heatmap, overlay_mask


@VISUALIZERS.register_module()
class AVSLocalVisualizer(SegLocalVisualizer):
    """Draw a frame of an audio-visual clip as side-by-side panels: the
    frame | ground truth | prediction | audio-visual attention.

    Masks are drawn in the class colours of ``dataset_meta`` over the frame,
    leaving the background (class 0) and ignored pixels (255) undrawn. The
    attention panel (Fig. 10 of `Audio-Visual Segmentation
    <https://arxiv.org/abs/2207.05042>`_) shows the audio-visual attention
    of a fused stage as a heat map, min-max scaled and upsampled to the
    frame. Panels without data (no ground truth, no attention) are left out.

    Args:
        name (str): Instance name. Defaults to ``'visualizer'``.
        vis_backends (list[dict], optional): Backends, e.g.
            ``[dict(type='LocalVisBackend'),
            dict(type='TensorboardVisBackend')]``. Defaults to None.
        save_dir (str, optional): Where the backends save. Defaults to None.
        classes (Sequence[str], optional): Class names; the dataset's when
            set by the runner. Defaults to None.
        palette (Sequence[Sequence[int]], optional): RGB class colours.
            Defaults to None.
        alpha (float): Opacity of the mask colours. Defaults to 0.5.
        attn_alpha (float): Opacity of the attention heat map.
            Defaults to 0.6.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 vis_backends: Optional[list] = None,
                 save_dir: Optional[str] = None,
                 classes: Optional[Sequence[str]] = None,
                 palette: Optional[Sequence[Sequence[int]]] = None,
                 alpha: float = 0.5,
                 attn_alpha: float = 0.6) -> None:
        super().__init__(
            name=name,
            vis_backends=vis_backends,
            save_dir=save_dir,
            alpha=alpha)
        # SegLocalVisualizer passes (palette, classes) swapped to
        # set_dataset_meta(classes, palette); set them here
        self.set_dataset_meta(classes or ('background', 'sounding'), palette
                              or [[0, 0, 0], [255, 255, 255]])
        self.attn_alpha = attn_alpha

    def draw_panels(self,
                    image: np.ndarray,
                    data_sample: Optional[SegDataSample] = None,
                    draw_gt: bool = True,
                    draw_pred: bool = True,
                    attention: Optional[np.ndarray] = None) -> np.ndarray:
        """The panels of one frame, concatenated along the width.

        Args:
            image (np.ndarray): RGB uint8 frame (H, W, 3).
            data_sample (SegDataSample, optional): With ``gt_sem_seg`` and/or
                ``pred_sem_seg`` of shape (1, H, W). Defaults to None.
            draw_gt (bool): Draw the ground truth. Defaults to True.
            draw_pred (bool): Draw the prediction. Defaults to True.
            attention (np.ndarray | Tensor, optional): (h, w) attention.
                Defaults to None.

        Returns:
            np.ndarray: RGB uint8 (H, W * panels, 3).
        """
        palette = self.dataset_meta['palette']
        panels = [image]
        for key, wanted in (('gt_sem_seg', draw_gt),
                            ('pred_sem_seg', draw_pred)):
            if wanted and data_sample is not None and key in data_sample:
                mask = data_sample.get(key).data[0].cpu().numpy()
                panels.append(overlay_mask(image, mask, palette, self.alpha))
        if attention is not None:
            if isinstance(attention, Tensor):
                attention = attention.detach().float().cpu().numpy()
            panels.append(
                attention_heatmap(image, attention, self.attn_alpha))
        return np.concatenate(panels, axis=1)

    @master_only
    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample: Optional[SegDataSample] = None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0,
                       with_labels: Optional[bool] = False,
                       attention: Optional[np.ndarray] = None) -> None:
        """Draw the panels of a frame (see :meth:`draw_panels`) and show,
        save to ``out_file`` or add them to the backends, as
        :meth:`SegLocalVisualizer.add_datasample` does. ``with_labels`` is
        accepted for compatibility and ignored."""
        drawn = self.draw_panels(image, data_sample, draw_gt, draw_pred,
                                 attention)
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            import mmcv
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)
