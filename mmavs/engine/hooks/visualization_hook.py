# Copyright (c) mmavs contributors. All rights reserved.
import os.path as osp
from typing import Optional, Sequence

import mmcv
import mmengine.fileio as fileio
from mmengine.runner import Runner
from mmseg.engine.hooks import SegVisualizationHook
from mmseg.structures import SegDataSample

from mmavs.registry import HOOKS
from mmavs.visualization.fusion_aux import FusionAuxRecorder


@HOOKS.register_module()
class AVSVisualizationHook(SegVisualizationHook):
    """Draw validation / test frames with :class:`AVSLocalVisualizer`:
    frame | ground truth | prediction | audio-visual attention.

    Every ``interval`` batches, each frame of the batch is drawn. With
    ``draw_attention`` the model's fusion module is run with
    ``return_aux=True`` during validation and testing (see
    :class:`FusionAuxRecorder`) and the attention of ``attention_stage``
    is drawn; models without a fusion module, or whose fusion cannot report
    attention, are drawn without it.

    Args:
        draw (bool): Draw at all. Defaults to False.
        interval (int): Draw every ``interval`` batches. Defaults to 50.
        show (bool): Show in a window instead of saving. Defaults to False.
        wait_time (float): Show time (s). Defaults to 0.
        draw_attention (bool): Add the attention panel. Defaults to True.
        attention_stage (int, optional): Fused stage whose attention is
            drawn. Defaults to None (the deepest).
        backend_args (dict, optional): File backend arguments for reading
            frames. Defaults to None.
    """

    def __init__(self,
                 draw: bool = False,
                 interval: int = 50,
                 show: bool = False,
                 wait_time: float = 0.,
                 draw_attention: bool = True,
                 attention_stage: Optional[int] = None,
                 backend_args: Optional[dict] = None) -> None:
        super().__init__(draw, interval, show, wait_time, backend_args)
        self.draw_attention = draw_attention
        self.attention_stage = attention_stage
        self._recorder: Optional[FusionAuxRecorder] = None

    def _start_recording(self, runner: Runner) -> None:
        if not (self.draw and self.draw_attention):
            return
        try:
            self._recorder = FusionAuxRecorder(runner.model).__enter__()
        except ValueError as err:
            runner.logger.warning(f'AVSVisualizationHook: no attention '
                                  f'panel ({err})')

    def _stop_recording(self, runner: Runner) -> None:
        if self._recorder is not None:
            self._recorder.__exit__()
            self._recorder = None

    def before_val_epoch(self, runner: Runner) -> None:
        self._start_recording(runner)

    def before_test_epoch(self, runner: Runner) -> None:
        self._start_recording(runner)

    def after_val_epoch(self, runner: Runner, metrics=None) -> None:
        self._stop_recording(runner)

    def after_test_epoch(self, runner: Runner, metrics=None) -> None:
        self._stop_recording(runner)

    def _after_iter(self,
                    runner: Runner,
                    batch_idx: int,
                    data_batch: dict,
                    outputs: Sequence[SegDataSample],
                    mode: str = 'val') -> None:
        """Draw the frames of every ``interval``-th batch."""
        if not self.draw or mode == 'train' or \
                not self.every_n_inner_iters(batch_idx, self.interval):
            return
        attn = None
        if self._recorder is not None and self._recorder.aux:
            attn = self._recorder.attention(self.attention_stage)
        for i, output in enumerate(outputs):
            img_bytes = fileio.get(
                output.img_path, backend_args=self.backend_args)
            img = mmcv.imfrombytes(img_bytes, channel_order='rgb')
            clip = output.metainfo.get('clip_name', '')
            self._visualizer.add_datasample(
                f'{mode}_{clip}_{osp.basename(output.img_path)}',
                img,
                data_sample=output,
                show=self.show,
                wait_time=self.wait_time,
                step=runner.iter,
                attention=attn[i] if attn is not None else None)
