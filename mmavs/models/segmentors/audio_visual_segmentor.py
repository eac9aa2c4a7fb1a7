# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, List, Optional

from mmengine.config import ConfigDict
from mmseg.models.segmentors import EncoderDecoder
from mmseg.structures import SegDataSample
from mmseg.utils import (ConfigType, OptConfigType, OptMultiConfig,
                         OptSampleList, SampleList)
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
    ``ignore_index``) adds nothing to the loss.

    Args:
        backbone (dict): Visual backbone config.
        audio_backbone (dict, optional): Audio backbone config. Required with
            ``fusion``.
        decode_head (dict): Decode head config.
        neck (dict, optional): Visual neck config (e.g. MultiLevelASPP).
        fusion (dict, optional): Audio-visual fusion config. Without it the
            model ignores the audio (the "without TPAVI" ablation).
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
        if fusion is not None and audio_backbone is None:
            raise ValueError('AudioVisualSegmentor: fusion needs an '
                             'audio_backbone')
        if test_cfg is not None and test_cfg.get('mode', 'whole') != 'whole':
            raise ValueError('AudioVisualSegmentor supports test_cfg.mode='
                             f"'whole' only, got {test_cfg['mode']!r}")
        self.audio_backbone = (
            MODELS.build(audio_backbone) if audio_backbone else None)
        self.fusion = MODELS.build(fusion) if fusion else None

    def extract_feat(self, inputs: Dict[str, Tensor]) -> List[Tensor]:
        """Visual features of every frame, fused with the clip's audio.

        Args:
            inputs (dict[str, Tensor]): ``imgs`` (B, T, 3, H, W) and
                ``audio`` (B, T, ...).

        Returns:
            list[Tensor]: Levels of shape (B*T, C_i, H_i, W_i).
        """
        imgs = inputs['imgs']
        num_frames = imgs.shape[1]
        x = self.backbone(imgs.flatten(0, 1))
        if self.with_neck:
            x = self.neck(x)
        if self.fusion is not None:
            audio = self.audio_backbone(inputs['audio'].flatten(0, 1))
            x = self.fusion(x, audio, num_frames=num_frames)
        return list(x)

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
