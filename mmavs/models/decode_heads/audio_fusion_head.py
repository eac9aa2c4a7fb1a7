# Copyright (c) mmavs contributors. All rights reserved.
from typing import Callable, Dict, List, Optional, Tuple

from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptMultiConfig, SampleList
from torch import Tensor

from mmavs.registry import MODELS


@MODELS.register_module()
class AudioFusionHead(BaseModule):
    """A decode head that fuses audio between its feature and classifier.

    Wraps any mmseg-style head whose ``forward`` splits into
    ``_forward_feature(levels) -> feature`` and a classifier (its
    ``classify(feature)`` if it has one, else ``cls_seg``: e.g.
    ``mmseg.ASPPHead``, ``mmseg.FCNHead``, ``mmseg.UPerHead``,
    :class:`CAVPASPPHead`) and runs ``fusion`` (e.g.
    :class:`CAVPFusion`, called as ``fusion(feature, audio, num_frames)``)
    on the feature: the released CAVP fuses on the 304-channel DeepLabV3+
    feature. ``takes_audio = True``: :class:`AudioVisualSegmentor` passes
    ``dict(visual=levels, audio=(B*T, D), num_frames=T)``. Loss and
    prediction are the inner head's (``loss_by_feat``,
    ``predict_by_feat``).

    Args:
        head (dict): The inner decode head; its ``_forward_feature`` output
            must match ``fusion``'s input and ``fusion``'s output its
            classifier's input.
        fusion (dict): The fusion module.
        num_classes (int, optional): Overrides the inner head's
            ``num_classes`` (so ``model.decode_head.num_classes=K`` works as
            for any mmseg head). Defaults to None.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """
    takes_audio = True

    def __init__(self,
                 head: ConfigType,
                 fusion: ConfigType,
                 num_classes: Optional[int] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes is not None:
            head = dict(head, num_classes=num_classes)
        self.head = MODELS.build(head)
        if not _has_feature_split(type(self.head)):
            raise TypeError(
                f'AudioFusionHead: {type(self.head).__name__} has no '
                '_forward_feature (feature/classifier split) that its '
                'forward uses, so there is no point to fuse at')
        self.fusion = MODELS.build(fusion)

    # what EncoderDecoder reads from its decode head
    @property
    def align_corners(self) -> bool:
        return self.head.align_corners

    @property
    def num_classes(self) -> int:
        return self.head.num_classes

    @property
    def out_channels(self) -> int:
        return self.head.out_channels

    @property
    def threshold(self) -> float:
        return self.head.threshold

    def classify(self, feat: Tensor) -> Tensor:
        """The inner head's classifier on a (fused) feature."""
        if hasattr(self.head, 'classify'):
            return self.head.classify(feat)
        return self.head.cls_seg(feat)

    def forward_fused(self, inputs: Dict) -> Tuple[Tensor, Tensor, Tensor]:
        """Logits (B*T, K, h, w), the feature and the fused feature.

        Args:
            inputs (dict): ``visual`` (list of (B*T, C_i, H_i, W_i)),
                ``audio`` (B*T, D) and ``num_frames`` (T).
        """
        if not isinstance(inputs, dict) or \
                not {'visual', 'audio', 'num_frames'} <= set(inputs):
            raise TypeError('AudioFusionHead takes dict(visual, audio, '
                            'num_frames) (see AudioVisualSegmentor)')
        feat = self.head._forward_feature(inputs['visual'])
        fused = self.fusion(feat, inputs['audio'], inputs['num_frames'])
        return self.classify(fused), feat, fused

    def forward(self, inputs: Dict) -> Tensor:
        """Logits (B*T, K, h, w); see :meth:`forward_fused`."""
        return self.forward_fused(inputs)[0]

    def av_loss_context(self, inputs: Dict) -> Tuple[Tensor, Dict]:
        """Logits and what an ``av_loss`` of the segmentor sees: the
        feature as the only ``visual`` level, the fused one as ``fused`` and
        ``fusion(levels, audio, num_frames) -> [fused]`` to re-run the
        fusion with other audio (e.g. :class:`CAVPLoss` with ``stage=0``).
        """
        logits, feat, fused = self.forward_fused(inputs)
        return logits, dict(
            visual=[feat], fused=(fused, ), fusion=self._fusion_on_levels)

    @property
    def _fusion_on_levels(self) -> Callable:
        return lambda levels, audio, num_frames: [
            self.fusion(levels[0], audio, num_frames)
        ]

    def loss(self, inputs: Dict, batch_data_samples: SampleList,
             train_cfg: ConfigType) -> Dict[str, Tensor]:
        """The inner head's losses of the fused logits."""
        return self.loss_by_feat(self.forward(inputs), batch_data_samples)

    def predict(self, inputs: Dict, batch_img_metas: List[dict],
                test_cfg: ConfigType) -> Tensor:
        """Logits resized to the inputs (the inner head's
        ``predict_by_feat``)."""
        return self.predict_by_feat(self.forward(inputs), batch_img_metas)

    def loss_by_feat(self, seg_logits: Tensor,
                     batch_data_samples: SampleList) -> Dict[str, Tensor]:
        return self.head.loss_by_feat(seg_logits, batch_data_samples)

    def predict_by_feat(self, seg_logits: Tensor,
                        batch_img_metas: List[dict]) -> Tensor:
        return self.head.predict_by_feat(seg_logits, batch_img_metas)


def _has_feature_split(cls: type) -> bool:
    """Whether ``cls.forward`` is the classifier on ``_forward_feature``: the
    class defining ``_forward_feature`` is not older (in the MRO) than the
    one defining ``forward`` (e.g. ``DepthwiseSeparableASPPHead`` inherits
    ASPPHead's ``_forward_feature`` but overrides ``forward``)."""

    def owner(name: str) -> int:
        return next((i for i, c in enumerate(cls.__mro__)
                     if name in c.__dict__), len(cls.__mro__))

    return owner('_forward_feature') <= owner('forward')
