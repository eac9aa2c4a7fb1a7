# Copyright (c) mmavs contributors. All rights reserved.
"""Key mapping from the released CAVP checkpoints to mmavs.

The checkpoints of `cyh-0/CAVP <https://github.com/cyh-0/CAVP>`_ hold the
state dict of its ``CAVP`` model (``models/cavp_model.py``) under ``model``
(saved through ``DataParallel`` / DDP, so with ``module.``), next to the
optimiser states. :func:`cavp_convert` renames it onto the released network
of ``configs/_base_/models/cavp_r50-d16.py``: a deep-stem
``mmseg.ResNetV1c`` backbone, :class:`AudioFusionHead` of
:class:`CAVPASPPHead` and :class:`CAVPFusion`, and the VGG (:class:`VGGish`)
or ResNet-18 (:class:`ResNetAudio`) audio encoder.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Tuple

from torch import Tensor

from .ckpt_convert import _rename

_BACKBONE = 'backbone.backbone.'
# (official prefix, mmavs prefix), tried in order
CAVP_RULES = [
    (re.escape(_BACKBONE) + r'conv1\.([0-7])\.', r'backbone.stem.\1.'),
    (re.escape(_BACKBONE) + r'bn1\.', 'backbone.stem.7.'),
    (re.escape(_BACKBONE) + r'layer', 'backbone.layer'),
    (r'segment\.(aspp|reduce)\.', r'decode_head.head.\1.'),
    (r'segment\.upsample\.last_conv\.', 'decode_head.head.last_conv.'),
    (r'segment\.upsample\.classifier\.', 'decode_head.head.conv_seg.'),
    (r'visual_projector\.', 'decode_head.fusion.projector.'),
    (r'cross_att\.patch_embed_([va])\.proj\.',
     r'decode_head.fusion.patch_embed_\1.'),
    (r'cross_att\.blocks\.(\d+)\.attn\.', r'decode_head.fusion.blocks.\1.'),
    (r'cross_att\.(blocks|norm)\.', r'decode_head.fusion.\1.'),
    (r'audio_backbone\.backbone\.(features|embeddings)\.',
     r'audio_backbone.\1.'),
    (r'audio_backbone\.backbone\.fc\.', 'audio_backbone.proj.'),
    (r'audio_backbone\.backbone\.', 'audio_backbone.resnet.'),
]
# Parameters the official forward never uses: the positional embeddings of
# CROSS_ATTENTION (commented out of its forward) and the audio classifier.
CAVP_UNUSED = ('cross_att.pos_embed_v', 'cross_att.pos_embed_a',
               'audio_backbone.cls_head.')


def cavp_state_dict(checkpoint: Dict) -> Dict[str, Tensor]:
    """The model state dict of a released CAVP checkpoint: the ``model``
    entry of a training checkpoint or a plain state dict, without the
    ``module.`` prefix of ``DataParallel`` / DDP."""
    state_dict = checkpoint.get('model', checkpoint)
    if not isinstance(state_dict, dict):
        raise ValueError('not a CAVP checkpoint: expected a state dict or a '
                         "dict with a 'model' state dict")
    return OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in state_dict.items())


def cavp_convert(checkpoint: Dict) -> Tuple['OrderedDict', dict]:
    """Rename a released CAVP checkpoint to mmavs keys.

    Args:
        checkpoint (dict): The loaded ``.pth`` (see
            :func:`cavp_state_dict`).

    Returns:
        tuple[OrderedDict, dict]: The mmavs state dict and a summary:
        ``audio`` (``'vgg'`` or ``'resnet18'``), ``in_channels`` of the
        audio (1 mono, 2 stereo), ``num_classes``, ``dropped_keys``.

    Raises:
        ValueError: Naming every key no rule maps.
    """
    state_dict = cavp_state_dict(checkpoint)
    converted, dropped, unknown = OrderedDict(), [], []
    for key, value in state_dict.items():
        if key.startswith(CAVP_UNUSED):
            dropped.append(key)
            continue
        new_key = _rename(key, CAVP_RULES)
        if new_key is None:
            unknown.append(key)
        else:
            converted[new_key] = value
    if unknown:
        raise ValueError(f'{len(unknown)} keys of no known CAVP module: '
                         f'{unknown}')
    return converted, _summary(converted, dropped)


def _summary(converted: Dict[str, Tensor], dropped: List[str]) -> dict:
    """What the converted checkpoint needs from its config."""
    vgg = 'audio_backbone.features.0.weight'
    resnet = 'audio_backbone.resnet.conv1.weight'
    classifier = 'decode_head.head.conv_seg.weight'
    for key in (classifier, ):
        if key not in converted:
            raise ValueError(f'not a CAVP checkpoint: no {key}')
    if vgg in converted:
        audio, in_channels = 'vgg', converted[vgg].shape[1]
    elif resnet in converted:
        audio, in_channels = 'resnet18', converted[resnet].shape[1]
    else:
        raise ValueError('not a CAVP checkpoint: no audio backbone')
    return dict(
        audio=audio,
        in_channels=int(in_channels),
        num_classes=int(converted[classifier].shape[0]),
        dropped_keys=dropped)
