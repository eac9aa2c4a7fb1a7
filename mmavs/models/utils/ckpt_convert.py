# Copyright (c) mmavs contributors. All rights reserved.
"""Key mappings from released checkpoints to mmavs models.

``avsbench_convert``: the TPAVI models of the official AVSBench code
(``Pred_endecoder`` of ``ResNet_AVSModel.py`` / ``PVT_AVSModel.py``) to
:class:`AudioVisualSegmentor` with a ``mmseg.ResNet`` (depth 50) or
``PyramidVisionTransformerV2`` (arch b5) backbone, ``MultiLevelASPP`` neck,
``TPAVI`` fusion and ``AVSBenchHead``. ``vggish_convert``: the PyTorch
VGGish release (weights and PCA parameters) to :class:`VGGish`.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import torch
from torch import Tensor

from ..audio_backbones import VGGish

# visual backbone -> its prefix in the official AVSBench model
AVSBENCH_BACKBONES = {'r50': 'resnet.', 'pvt_v2_b5': 'encoder_backbone.'}
# The official ResNet-50 builds a second copy of stages 3 and 4 that its
# forward never runs.
_AVSBENCH_UNUSED = ('resnet.layer3_2.', 'resnet.layer4_2.')
_TPAVI = re.compile(r'tpavi_b(\d+)\.')


def avsbench_convert(
        state_dict: Dict[str, Tensor],
        backbone: Optional[str] = None) -> Tuple['OrderedDict', dict]:
    """Rename an official AVSBench TPAVI state dict to mmavs keys.

    ``resnet.layer{3,4}_1`` -> ``backbone.layer{3,4}`` (``layer{3,4}_2`` are
    dropped: never used), other ``resnet.*`` / ``encoder_backbone.*`` ->
    ``backbone.*``, ``conv{i}`` -> ``neck.convs.{i-1}``, ``path{i}`` ->
    ``decode_head.fusion_blocks.{i-1}``, ``tpavi_b{s+1}`` ->
    ``fusion.blocks.{k}`` (k = rank of stage s among the checkpoint's TPAVI
    stages, as ``TPAVI(stages=sorted stages)``), ``output_conv.{0,2}`` ->
    ``decode_head.output_conv.{0,2}``, ``output_conv.4`` ->
    ``decode_head.conv_seg``.

    Args:
        state_dict (dict[str, Tensor]): The official model's state dict.
        backbone (str, optional): ``'r50'`` or ``'pvt_v2_b5'``; detected
            from the keys when None.

    The AVSBench-Semantics release (``avs_scripts/avss``) has the same
    layout with 71 output classes and no ``tpavi_b*.align_channel.bias``;
    the summary tells it apart.

    Returns:
        tuple[OrderedDict, dict]: The mmavs state dict and a summary
        (``backbone``, ``tpavi_stages`` (0-based), ``dropped_keys``,
        ``num_classes`` (output channels, None without ``output_conv.4``)
        and ``audio_proj_bias`` (None without TPAVI)).

    Raises:
        ValueError: On an unknown backbone or keys no rule maps.
    """
    if backbone is None:
        backbone = _detect_backbone(state_dict)
    if backbone not in AVSBENCH_BACKBONES:
        raise ValueError(f'unknown backbone {backbone!r}, choose from '
                         f'{sorted(AVSBENCH_BACKBONES)}')
    stages = sorted({
        int(m.group(1)) - 1
        for m in map(_TPAVI.match, state_dict) if m
    })
    rules = [
        (r'resnet\.layer([34])_1\.', r'backbone.layer\1.'),
        (re.escape(AVSBENCH_BACKBONES[backbone]), 'backbone.'),
        (r'conv([1-4])\.conv2d_list\.',
         lambda m: f'neck.convs.{int(m[1]) - 1}.conv2d_list.'),
        (r'path([1-4])\.',
         lambda m: f'decode_head.fusion_blocks.{int(m[1]) - 1}.'),
        (_TPAVI.pattern,
         lambda m: f'fusion.blocks.{stages.index(int(m[1]) - 1)}.'),
        (r'output_conv\.([02])\.', r'decode_head.output_conv.\1.'),
        (r'output_conv\.4\.', 'decode_head.conv_seg.'),
    ]
    converted, dropped, unknown = OrderedDict(), [], []
    for key, value in state_dict.items():
        if backbone == 'r50' and key.startswith(_AVSBENCH_UNUSED):
            dropped.append(key)
            continue
        new_key = _rename(key, rules)
        if new_key is None:
            unknown.append(key)
        else:
            converted[new_key] = value
    if unknown:
        raise ValueError(f'{len(unknown)} keys of no known AVSBench '
                         f'{backbone} TPAVI module: {unknown[:10]}')
    seg = state_dict.get('output_conv.4.weight')
    info = dict(
        backbone=backbone,
        tpavi_stages=stages,
        dropped_keys=dropped,
        num_classes=None if seg is None else int(seg.shape[0]),
        audio_proj_bias=any(k.endswith('.align_channel.bias')
                            for k in state_dict) if stages else None)
    return converted, info


def vggish_convert(weights: Dict[str, Tensor],
                   pca: Optional[Dict[str, object]] = None) -> 'OrderedDict':
    """Check the VGGish release weights and add the PCA parameters.

    Args:
        weights (dict[str, Tensor]): ``vggish-10086976.pth`` (keys
            ``features.*``, ``embeddings.*``).
        pca (dict, optional): ``vggish_pca_params-970ea276.pth``:
            ``pca_eigen_vectors`` (D, D) and ``pca_means`` (D,) or (D, 1),
            tensors or numpy arrays. Stored as float32 ``pproc.*`` for
            ``VGGish(postprocess=True)``.

    Returns:
        OrderedDict: The state dict of :class:`VGGish` (``postprocess`` as
        ``pca`` is given).

    Raises:
        ValueError: On missing, unexpected or misshapen keys.
    """
    state_dict = OrderedDict(weights)
    if pca is not None:
        for name, value in pca.items():
            value = torch.as_tensor(value, dtype=torch.float32)
            if name == 'pca_means':
                value = value.reshape(-1, 1)
            state_dict[f'pproc.{name}'] = value
    with torch.device('meta'):
        expected = VGGish(postprocess=pca is not None).state_dict()
    missing, unexpected, misshapen = state_dict_mismatch(state_dict, expected)
    if missing or unexpected or misshapen:
        raise ValueError(f'not a VGGish release: missing {missing}, '
                         f'unexpected {unexpected}, misshapen {misshapen}')
    return state_dict


def state_dict_mismatch(
        state_dict: Dict[str, Tensor], expected: Dict[str, Tensor]
) -> Tuple[List[str], List[str], List[str]]:
    """Keys of ``expected`` missing from ``state_dict``, keys of
    ``state_dict`` not in ``expected`` (both sorted), and the shared keys
    whose shapes differ, as ``'key (got) != (expected)'``."""
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    misshapen = [
        f'{k} {tuple(state_dict[k].shape)} != {tuple(v.shape)}'
        for k, v in expected.items()
        if k in state_dict and state_dict[k].shape != v.shape
    ]
    return missing, unexpected, misshapen


def _detect_backbone(state_dict: Dict[str, Tensor]) -> str:
    """The AVSBench backbone whose prefix the keys carry."""
    found = [
        name for name, prefix in AVSBENCH_BACKBONES.items()
        if any(k.startswith(prefix) for k in state_dict)
    ]
    if len(found) != 1:
        raise ValueError('cannot tell the visual backbone: expected keys '
                         'under exactly one of '
                         f'{sorted(AVSBENCH_BACKBONES.values())}')
    return found[0]


def _rename(key: str, rules: List[tuple]) -> Optional[str]:
    """Apply the first rule whose pattern matches the start of ``key``."""
    for pattern, repl in rules:
        new_key, count = re.subn(f'^{pattern}', repl, key)
        if count:
            return new_key
    return None
