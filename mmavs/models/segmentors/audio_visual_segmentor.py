# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, List, Optional, Union

import torch.nn as nn
from mmengine.config import ConfigDict
from mmseg.models.segmentors import EncoderDecoder
from mmseg.structures import SegDataSample
from mmseg.utils import (ConfigType, OptConfigType, OptMultiConfig,
                         OptSampleList, SampleList, add_prefix)
from torch import Tensor

from mmavs.registry import MODELS


@MODELS.register_module()
class AudioVisualSegmentor(EncoderDecoder):
    """Encoder-decoder segmentor that listens.

    Frames go through ``backbone`` (and ``neck``), audio through
    ``audio_backbone``; ``fusion`` mixes the audio into the visual levels
    (e.g. :class:`TPAVI`) before ``decode_head``. Every clip of T frames is
    one item; frames of a clip stay together so the fusion can attend over
    time. Works with T = 1 (images with sound).

    Inputs are a dict (see :class:`AVSDataPreprocessor`): ``imgs`` of shape
    (B, T, 3, H, W) and ``audio`` of shape (B, T, ...); ``data_samples`` is a
    flat, clip-major list of B*T :obj:`SegDataSample`. Losses and predictions
    are per frame, as in mmseg; a frame without a label (all pixels
    ``ignore_index``) adds nothing to the loss. With ``inputs['frame_mask']``
    (B, T) (padded clips, :class:`AVSPadClip`) the audio features, the
    visual levels before and after the fusion and the logits of padded
    frames are multiplied by 0, as the released AVSBench-Semantics model
    does (``vid_temporal_mask_flag``).

    A decode head whose class sets ``takes_audio = True`` (audio enters
    inside the head, e.g. between its feature and its classifier, or as its
    queries) gets ``dict(visual=levels, audio=(B*T, D), num_frames=T)``
    instead of the level list; auxiliary heads still get the levels.

    Args:
        backbone (dict): Visual backbone config.
        audio_backbone (dict, optional): Audio backbone config. Required with
            ``fusion`` or a decode head that takes audio.
        decode_head (dict): Decode head config.
        neck (dict, optional): Visual neck config (e.g. MultiLevelASPP).
        fusion (dict, optional): Audio-visual fusion config. Without it the
            model ignores the audio (the "without TPAVI" ablation).
        av_loss (dict | list[dict], optional): Extra training losses that
            look at the audio-visual features (e.g. :class:`AVMLoss`). Each
            is called with a dict of ``visual`` (pre-fusion levels),
            ``audio`` (B*T, D), ``fused`` (fused levels), ``aux`` (the fusion's
            aux dict), ``seg_logits`` (B*T, K, h, w), ``data_samples``,
            ``num_frames``, ``fusion``, ``decode_head``, ``audio_inputs``
            (B*T, ...) and ``audio_backbone``, and returns a scalar stored
            under its ``loss_name``. With a decode head that fuses the
            audio itself (``av_loss_context``, e.g. :class:`AudioFusionHead`)
            ``visual``, ``fused`` and ``fusion`` are the head's.
        auxiliary_head, train_cfg, test_cfg, data_preprocessor, pretrained,
        init_cfg: As in :class:`mmseg.models.EncoderDecoder`; only
            ``test_cfg.mode='whole'`` is supported.
    """

    def __init__(self,
                 backbone: ConfigType,
                 decode_head: ConfigType,
                 audio_backbone: OptConfigType = None,
                 neck: OptConfigType = None,
                 fusion: OptConfigType = None,
                 av_loss: OptMultiConfig = None,
                 auxiliary_head: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 pretrained: Optional[str] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        # mmseg reads test_cfg.mode as an attribute
        test_cfg = ConfigDict(test_cfg) if test_cfg is not None else None
        super().__init__(
            backbone=backbone,
            decode_head=decode_head,
            neck=neck,
            auxiliary_head=auxiliary_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            pretrained=pretrained,
            init_cfg=init_cfg)
        if self.head_takes_audio and audio_backbone is None:
            raise ValueError(
                f'AudioVisualSegmentor: {type(self.decode_head).__name__} '
                'takes audio, so it needs an audio_backbone')
        if fusion is not None and audio_backbone is None:
            raise ValueError('AudioVisualSegmentor: fusion needs an '
                             'audio_backbone')
        if test_cfg is not None and test_cfg.get('mode', 'whole') != 'whole':
            raise ValueError('AudioVisualSegmentor supports test_cfg.mode='
                             f"'whole' only, got {test_cfg['mode']!r}")
        self.audio_backbone = (
            MODELS.build(audio_backbone) if audio_backbone else None)
        self.fusion = MODELS.build(fusion) if fusion else None
        if isinstance(av_loss, dict):
            av_loss = [av_loss]
        self.av_losses = nn.ModuleList(
            MODELS.build(cfg) for cfg in av_loss or [])
        if len(self.av_losses) and self.fusion is None and \
                not self.head_fuses:
            raise ValueError('AudioVisualSegmentor: av_loss needs a fusion '
                             '(or a decode head with av_loss_context)')
        names = [loss.loss_name for loss in self.av_losses]
        if len(set(names)) != len(names):
            raise ValueError(f'av_loss names repeat: {names}')

    @property
    def head_takes_audio(self) -> bool:
        """Whether the decode head takes the audio features (see above)."""
        return getattr(self.decode_head, 'takes_audio', False)

    @property
    def head_fuses(self) -> bool:
        """Whether the decode head fuses the audio itself and gives the
        ``av_loss`` terms its features (``av_loss_context``)."""
        return hasattr(self.decode_head, 'av_loss_context')

    def extract_feat(self, inputs: Dict[str, Tensor]) -> Union[List[Tensor],
                                                               dict]:
        """Visual features of every frame, fused with the clip's audio.

        Args:
            inputs (dict[str, Tensor]): ``imgs`` (B, T, 3, H, W) and
                ``audio`` (B, T, ...).

        Returns:
            list[Tensor] | dict: Levels of shape (B*T, C_i, H_i, W_i); for a
            head that takes audio, ``dict(visual=levels, audio=(B*T, D),
            num_frames=T)``.
        """
        return self._head_inputs(self._encode(inputs))

    def _head_inputs(self, ctx: dict) -> Union[List[Tensor], dict]:
        """What the decode head gets from the ``_encode`` context."""
        levels = list(ctx['fused'])
        if not self.head_takes_audio:
            return levels
        return dict(
            visual=levels, audio=ctx['audio'], num_frames=ctx['num_frames'])

    def _auxiliary_head_forward_train(self, inputs: Union[List[Tensor],
                                                          dict],
                                      data_samples: SampleList) -> dict:
        """Auxiliary heads see the visual levels only."""
        if isinstance(inputs, dict):
            inputs = inputs['visual']
        return super()._auxiliary_head_forward_train(inputs, data_samples)

    def _encode(self, inputs: Dict[str, Tensor],
                return_aux: bool = False) -> dict:
        """Visual levels before and after fusion, audio features and the
        fusion's aux dict (empty unless ``return_aux``)."""
        imgs = inputs['imgs']
        num_frames = imgs.shape[1]
        visual = self.backbone(imgs.flatten(0, 1))
        if self.with_neck:
            visual = self.neck(visual)
        visual = [_mask_frames(x, inputs) for x in visual]
        out = dict(
            visual=visual, fused=tuple(visual), audio=None, aux={},
            num_frames=num_frames)
        if self.fusion is not None or self.head_takes_audio:
            out['audio'] = _mask_frames(
                self.audio_backbone(inputs['audio'].flatten(0, 1)), inputs)
        if self.fusion is not None:
            fused = self.fusion(
                visual, out['audio'], num_frames, return_aux=return_aux)
            if return_aux:
                fused, out['aux'] = fused
            out['fused'] = tuple(_mask_frames(x, inputs) for x in fused)
        return out

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: SampleList) -> Dict[str, Tensor]:
        """Decode-head (and auxiliary-head) losses plus the ``av_loss``
        terms; see :meth:`EncoderDecoder.loss`."""
        if not len(self.av_losses):
            return super().loss(inputs, data_samples)
        ctx = self._encode(inputs, return_aux=True)
        if self.head_fuses:  # the av_loss terms see the head's features
            seg_logits, head_ctx = self.decode_head.av_loss_context(
                self._head_inputs(ctx))
        else:
            seg_logits, head_ctx = self.decode_head(
                self._head_inputs(ctx)), {}
        seg_logits = _mask_frames(seg_logits, inputs)
        losses = add_prefix(
            self.decode_head.loss_by_feat(seg_logits, data_samples),
            'decode')
        if self.with_auxiliary_head:
            losses.update(
                self._auxiliary_head_forward_train(
                    list(ctx['fused']), data_samples))
        ctx.update(
            seg_logits=seg_logits,
            data_samples=data_samples,
            fusion=self.fusion,
            decode_head=self.decode_head,
            audio_inputs=inputs['audio'].flatten(0, 1),
            audio_backbone=self.audio_backbone)
        ctx.update(head_ctx)
        for av_loss in self.av_losses:
            losses[av_loss.loss_name] = av_loss(ctx)
        return losses

    def predict(self,
                inputs: Dict[str, Tensor],
                data_samples: OptSampleList = None) -> SampleList:
        """Predict a mask per frame; see :meth:`EncoderDecoder.predict`."""
        if data_samples is None:
            imgs = inputs['imgs']
            shape = tuple(imgs.shape[-2:])
            data_samples = [
                SegDataSample(
                    metainfo=dict(
                        ori_shape=shape,
                        img_shape=shape,
                        pad_shape=shape,
                        padding_size=[0, 0, 0, 0]))
                for _ in range(imgs.shape[0] * imgs.shape[1])
            ]
        return super().predict(inputs, data_samples)

    def inference(self, inputs: Dict[str, Tensor],
                  batch_img_metas: List[dict]) -> Tensor:
        """Logits of every frame in float32, also under autocast (mmseg's
        post-processing and visualiser do not take bfloat16).

        Returns:
            Tensor: Logits of shape (B*T, K, H, W).
        """
        return _mask_frames(
            super().inference(inputs, batch_img_metas).float(), inputs)


def _mask_frames(x: Tensor, inputs: Dict[str, Tensor]) -> Tensor:
    """Zero the padded frames of (B*T, ...) ``x`` by ``inputs['frame_mask']``
    (B, T), if given."""
    mask = inputs.get('frame_mask')
    if mask is None:
        return x
    return x * mask.reshape(-1, *([1] * (x.dim() - 1))).to(x.dtype)
