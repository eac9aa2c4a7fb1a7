# Copyright (c) mmavs contributors. All rights reserved.
"""Key mapping of the released AVSegFormer checkpoints to mmavs.

The release (``vvvb-github/AVSegFormer``) saves the state dict of its
``AVSegFormer`` module: ``backbone.*`` (``B2_ResNet`` or ``pvt_v2_b5``),
``vggish.*``, ``audio_proj.*`` and ``head.*`` (``AVSegHead``). mmavs puts the
same weights into :class:`AudioVisualSegmentor` with a ``mmseg.ResNet`` or
``PyramidVisionTransformerV2`` backbone, :class:`VGGish` audio backbone and
:class:`AVSegFormerHead`.
"""
import re
from collections import OrderedDict
from typing import Dict, Tuple

from torch import Tensor

from .ckpt_convert import _rename

# Built by the release but never run by its forward: the second ResNet
# branch (``B2_ResNet.layer{3,4}_2``, ``forward(branch=1)`` only) and the
# head's ``SimpleFPN`` and ``attn_fc`` (used by a commented-out method).
AVSEGFORMER_UNUSED = ('backbone.layer3_2.', 'backbone.layer4_2.', 'head.fpn.',
                      'head.attn_fc.')

_RULES = [
    (r'backbone\.layer([34])_1\.', r'backbone.layer\1.'),
    (r'backbone\.', 'backbone.'),
    (r'vggish\.', 'audio_backbone.'),
    (r'audio_proj\.', 'decode_head.audio_proj.'),
    (r'head\.(in_proj\.\d+|lateral_conv|out_conv)\.0\.',
     r'decode_head.\1.conv.'),
    (r'head\.(in_proj\.\d+|lateral_conv|out_conv)\.1\.',
     r'decode_head.\1.gn.'),
    (r'head\.mlp\.layers\.(\d)\.',
     lambda m: f'decode_head.query_mlp.{2 * int(m[1])}.'),
    (r'head\.fc\.0\.', 'decode_head.mask_conv1.'),
    (r'head\.fc\.2\.', 'decode_head.mask_conv2.'),
    (r'head\.fc\.4\.', 'decode_head.conv_seg.'),
    (r'head\.fusion_block\.', 'decode_head.mixer.'),
    (r'head\.transformer\.(encoder|decoder)\.', r'decode_head.\1.'),
    (r'head\.(query_generator\.|learnable_query\.|level_embed$)',
     r'decode_head.\1'),
]


def avsegformer_convert(
        state_dict: Dict[str, Tensor]) -> Tuple['OrderedDict', dict]:
    """Rename a released AVSegFormer state dict to mmavs keys.

    ``backbone.layer{3,4}_1`` -> ``backbone.layer{3,4}``, ``vggish`` ->
    ``audio_backbone``, ``audio_proj`` and ``head.*`` -> ``decode_head.*``
    (``in_proj.i`` / ``lateral_conv`` / ``out_conv`` ``.0`` / ``.1`` ->
    ``.conv`` / ``.gn``, ``mlp.layers.i`` -> ``query_mlp.{2i}``, ``fc.0`` /
    ``fc.2`` / ``fc.4`` -> ``mask_conv1`` / ``mask_conv2`` / ``conv_seg``,
    ``fusion_block`` -> ``mixer``, ``transformer.encoder`` / ``.decoder`` ->
    ``encoder`` / ``decoder``); the keys of :data:`AVSEGFORMER_UNUSED` are
    dropped.

    Args:
        state_dict (dict[str, Tensor]): The release's state dict (a
            ``module.`` prefix of DataParallel is removed).

    Returns:
        tuple[OrderedDict, dict]: The mmavs state dict and a summary:
        ``backbone`` (``'r50'`` or ``'pvt_v2_b5'``), ``num_classes`` and
        ``dropped_keys``.

    Raises:
        ValueError: On keys no rule maps, or no known backbone.
    """
    converted, dropped, unknown = OrderedDict(), [], []
    for key, value in state_dict.items():
        key = re.sub(r'^module\.', '', key)
        if key.startswith(AVSEGFORMER_UNUSED):
            dropped.append(key)
            continue
        new_key = _rename(key, _RULES)
        if new_key is None:
            unknown.append(key)
        else:
            converted[new_key] = value
    if unknown:
        raise ValueError(f'{len(unknown)} keys of no known AVSegFormer '
                         f'module: {unknown[:10]}')
    if 'backbone.layer1.0.conv1.weight' in converted:
        backbone = 'r50'
    elif 'backbone.patch_embed1.proj.weight' in converted:
        backbone = 'pvt_v2_b5'
    else:
        raise ValueError('no ResNet-50 (backbone.layer1.*) or PVT-v2 '
                         '(backbone.patch_embed1.*) backbone keys')
    if 'decode_head.conv_seg.weight' not in converted:
        raise ValueError('no classifier (head.fc.4.weight)')
    info = dict(
        backbone=backbone,
        num_classes=converted['decode_head.conv_seg.weight'].shape[0],
        dropped_keys=dropped)
    return converted, info
