# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.utils import ConfigType, OptConfigType, SampleList
from torch import Tensor

from mmavs.registry import MODELS
from ..layers import sine_positional_encoding, xavier_init_matrices


@MODELS.register_module()
class AVSegFormerHead(BaseDecodeHead):
    """The query-based head of AVSegFormer, audio inside.

    `AVSegFormer: Audio-Visual Segmentation with Transformer
    <https://arxiv.org/abs/2307.01146>`_, as released
    (``model/head/AVSegHead.py``). Per frame:

    1. ``audio_proj`` (Linear 128 -> C) makes the audio token (N, 1, C);
       every level gets a 1x1 conv + GroupNorm(32) to C (``in_proj``).
    2. ``encoder`` (:class:`DeformableTransformerEncoder`) over the levels
       ``memory_levels`` (strides 8, 16, 32), with a sine position encoding
       (``num_pos_feats`` per axis) plus a learnt level embedding.
    3. ``query_generator`` (:class:`AudioQueryGenerator`) turns the audio
       into Q queries, plus a second learnt embedding (``learnable_queries``);
       ``decoder`` (:class:`QueryTransformerDecoder`) runs them over the
       memory.
    4. Mask feature: the memory of the first encoded level (stride 8),
       bilinearly resized to stride 4 and added to ``lateral_conv`` (1x1 +
       GroupNorm) of the stride-4 level, then ``out_conv`` (3x3 + GroupNorm
       + ReLU) and ``mixer`` (:class:`CrossModalMixer`).
    5. ``einsum('nqc,nchw->nqhw')`` of the queries and the mask feature,
       ``query_mlp`` (1x1 convs Q -> 2048 -> 2048 -> C, ReLU between) added
       back to the mask feature, then ``mask_conv1`` (3x3 to 128), bilinear
       x4, ``mask_conv2`` (3x3 to ``channels``), ReLU and ``conv_seg`` (1x1,
       no bias).

    The head takes audio (``takes_audio``): it gets ``dict(visual=levels,
    audio=(N, D), num_frames=T)`` from :class:`AudioVisualSegmentor`.
    Training adds the release's "mix loss" ``loss_mix`` on the channel mean
    of the mask feature, resized to the label size, against the binarised
    label (foreground = any class but ``background_index``; the binary label
    itself when ``out_channels == 1``).

    Args:
        in_channels (Sequence[int]): Channels of the four levels (strides 4,
            8, 16, 32).
        channels (int): Width before ``conv_seg``. Defaults to 32.
        audio_channels (int): Audio feature size D. Defaults to 128.
        embed_dims (int): Transformer width C. Defaults to 256.
        num_queries (int): Queries Q. Defaults to 300.
        query_generator (dict): :class:`AudioQueryGenerator` config.
        encoder (dict): :class:`DeformableTransformerEncoder` config.
        decoder (dict): :class:`QueryTransformerDecoder` config.
        mixer (dict, optional): :class:`CrossModalMixer` config (None: no
            gate). Defaults to the release's.
        memory_levels (Sequence[int]): Levels the encoder reads; the first
            feeds the mask feature. Defaults to (1, 2, 3).
        learnable_queries (bool): Add a learnt query embedding to the
            generated queries. Defaults to True.
        num_pos_feats (int): Sine features per axis (2x this = C).
            Defaults to 128.
        mlp_channels (int): Hidden width of ``query_mlp``. Defaults to 2048.
        mask_channels (int): Width after ``mask_conv1``. Defaults to 128.
        upsample_factor (int): Upsampling before ``mask_conv2``. Defaults to
            4.
        loss_mix (dict, optional): The mix loss (None: none). Defaults to
            ``FrameDiceLoss`` with weight 0.1.
        background_index (int): Background class of a multi-class label,
            for the mix-loss target. Defaults to 0 (AVSBench-Semantics).
        **kwargs: Other arguments of :class:`BaseDecodeHead`.
    """
    takes_audio = True

    def __init__(self,
                 in_channels: Sequence[int],
                 channels: int = 32,
                 audio_channels: int = 128,
                 embed_dims: int = 256,
                 num_queries: int = 300,
                 query_generator: ConfigType = dict(
                     type='AudioQueryGenerator'),
                 encoder: ConfigType = dict(
                     type='DeformableTransformerEncoder'),
                 decoder: ConfigType = dict(type='QueryTransformerDecoder'),
                 mixer: OptConfigType = dict(type='CrossModalMixer'),
                 memory_levels: Sequence[int] = (1, 2, 3),
                 learnable_queries: bool = True,
                 num_pos_feats: int = 128,
                 mlp_channels: int = 2048,
                 mask_channels: int = 128,
                 upsample_factor: int = 4,
                 loss_mix: OptConfigType = dict(
                     type='FrameDiceLoss',
                     loss_weight=0.1,
                     loss_name='loss_mix'),
                 background_index: int = 0,
                 **kwargs) -> None:
        kwargs.setdefault('input_transform', 'multiple_select')
        kwargs.setdefault('in_index', list(range(len(in_channels))))
        kwargs.setdefault('dropout_ratio', 0.)
        kwargs.setdefault('init_cfg', None)
        super().__init__(in_channels=in_channels, channels=channels, **kwargs)
        if 2 * num_pos_feats != embed_dims:
            raise ValueError(f'AVSegFormerHead: 2 * num_pos_feats '
                             f'({num_pos_feats}) must equal embed_dims '
                             f'({embed_dims})')
        if not 0 < min(memory_levels) <= max(memory_levels) < len(
                self.in_channels):
            raise ValueError(f'AVSegFormerHead: memory_levels '
                             f'{memory_levels} must be levels 1 ... '
                             f'{len(self.in_channels) - 1}')
        self.embed_dims = embed_dims
        self.memory_levels = tuple(memory_levels)
        self.num_pos_feats = num_pos_feats
        self.upsample_factor = upsample_factor
        self.background_index = background_index
        gn = dict(type='GN', num_groups=32)

        self.audio_proj = nn.Linear(audio_channels, embed_dims)
        self.in_proj = nn.ModuleList(
            ConvModule(c, embed_dims, 1, bias=True, norm_cfg=gn,
                       act_cfg=None) for c in self.in_channels)
        self.level_embed = nn.Parameter(
            torch.zeros(len(self.memory_levels), embed_dims))
        self.encoder = MODELS.build(
            dict(encoder, num_levels=len(self.memory_levels)))
        self.query_generator = MODELS.build(
            dict(query_generator, num_queries=num_queries))
        self.learnable_query = (
            nn.Embedding(num_queries, embed_dims)
            if learnable_queries else None)
        self.decoder = MODELS.build(decoder)
        self.lateral_conv = ConvModule(
            embed_dims, embed_dims, 1, bias=True, norm_cfg=gn, act_cfg=None)
        self.out_conv = ConvModule(
            embed_dims, embed_dims, 3, padding=1, bias=True, norm_cfg=gn)
        self.mixer = MODELS.build(mixer) if mixer else None
        widths = dict(query_generator=self.query_generator.embed_dims)
        if self.mixer is not None:
            widths['mixer'] = self.mixer.embed_dims
        for name, width in widths.items():
            if width != embed_dims:
                raise ValueError(f'AVSegFormerHead: {name} has width {width}'
                                 f', the head {embed_dims}')
        self.query_mlp = nn.Sequential(
            nn.Conv2d(num_queries, mlp_channels, 1), nn.ReLU(),
            nn.Conv2d(mlp_channels, mlp_channels, 1), nn.ReLU(),
            nn.Conv2d(mlp_channels, embed_dims, 1))
        self.mask_conv1 = nn.Conv2d(embed_dims, mask_channels, 3, padding=1)
        self.mask_conv2 = nn.Conv2d(mask_channels, channels, 3, padding=1)
        self.conv_seg = nn.Conv2d(channels, self.out_channels, 1, bias=False)
        self.loss_mix = MODELS.build(loss_mix) if loss_mix else None

    def init_weights(self) -> None:
        """The release's initialisation: Xavier-uniform for every weight
        matrix and conv kernel of the head, then the children's own
        (deformable attention), N(0, 1) level embedding; ``init_cfg``
        overrides it."""
        if self.init_cfg is not None:
            return super().init_weights()
        xavier_init_matrices(self)
        self.encoder.init_weights()
        nn.init.normal_(self.level_embed)
        nn.init.kaiming_uniform_(self.audio_proj.weight, a=5**0.5)

    def forward(self, inputs: Dict) -> Tensor:
        """Decode.

        Args:
            inputs (dict): ``visual``: levels of shape (N, C_i, H_i, W_i) at
                strides 4, 8, 16, 32; ``audio``: (N, D) features; N = B*T
                frames.

        Returns:
            Tensor: Logits of shape (N, out_channels, 4 H_0, 4 W_0).
        """
        return self.forward_with_mask_feature(inputs)[0]

    def forward_with_mask_feature(self, inputs: Dict) -> Tuple[Tensor, Tensor]:
        """Logits (N, out_channels, 4 H_0, 4 W_0) and the gated mask feature
        (N, C, H_0, W_0); see :meth:`forward`."""
        levels: List[Tensor] = self._transform_inputs(inputs['visual'])
        audio = self.audio_proj(inputs['audio'])[:, None]  # (N, 1, C)
        feat4 = self.in_proj[0](levels[0])
        memory, shapes = self._encode(levels)
        queries = self.query_generator(audio)
        if self.learnable_query is not None:
            queries = queries + self.learnable_query.weight
        queries = self.decoder(queries, memory)

        (h, w), n = shapes[0], memory.shape[0]
        first = memory[:, :h * w].transpose(1, 2).reshape(n, -1, h, w)
        mask_feature = self.lateral_conv(feat4) + F.interpolate(
            first, size=feat4.shape[-2:], mode='bilinear',
            align_corners=False)
        mask_feature = self.out_conv(mask_feature)
        if self.mixer is not None:
            mask_feature = self.mixer(mask_feature, audio)

        query_maps = torch.einsum('nqc,nchw->nqhw', queries, mask_feature)
        x = mask_feature + self.query_mlp(query_maps)
        x = F.interpolate(
            self.mask_conv1(x),
            scale_factor=self.upsample_factor,
            mode='bilinear',
            align_corners=False)
        return self.cls_seg(F.relu(self.mask_conv2(x))), mask_feature

    def _encode(self, levels: List[Tensor]) -> Tuple[Tensor, list]:
        """Encoder memory (N, S, C) of the memory levels and their sizes."""
        tokens, pos, shapes = [], [], []
        for i, level in enumerate(self.memory_levels):
            src = self.in_proj[level](levels[level])
            h, w = src.shape[-2:]
            shapes.append((h, w))
            tokens.append(src.flatten(2).transpose(1, 2))
            pe = sine_positional_encoding(h, w, self.num_pos_feats,
                                          device=src.device)
            pos.append(pe.flatten(2).transpose(1, 2) + self.level_embed[i])
        memory = self.encoder(
            torch.cat(tokens, 1), torch.cat(pos, 1).to(tokens[0].dtype),
            shapes)
        return memory, shapes

    def loss(self, inputs: Dict, batch_data_samples: SampleList,
             train_cfg: ConfigType) -> dict:
        """The decode losses and ``loss_mix``."""
        seg_logits, mask_feature = self.forward_with_mask_feature(inputs)
        losses = self.loss_by_feat(seg_logits, batch_data_samples)
        if self.loss_mix is not None:
            losses[self.loss_mix.loss_name] = self.mix_loss(
                mask_feature, batch_data_samples)
        return losses

    def mix_loss(self, mask_feature: Tensor,
                 batch_data_samples: SampleList) -> Tensor:
        """``loss_mix`` of the channel mean of the (N, C, h, w) mask
        feature, resized to the label size, and the binarised labels."""
        label = self._stack_batch_gt(batch_data_samples).squeeze(1)
        pred = resize(
            mask_feature.mean(1, keepdim=True),
            size=label.shape[-2:],
            mode='bilinear',
            align_corners=False)
        if self.out_channels != 1:
            ignored = label == self.ignore_index
            label = (label != self.background_index).long()
            label[ignored] = self.ignore_index
        return self.loss_mix(pred, label, ignore_index=self.ignore_index)

    def loss_by_feat(self, seg_logits: Tensor,
                     batch_data_samples: SampleList) -> dict:
        """mmseg's decode losses; no ``acc_seg`` for a single logit channel
        (mmseg's argmax accuracy means nothing there)."""
        losses = super().loss_by_feat(seg_logits, batch_data_samples)
        if self.out_channels == 1:
            losses.pop('acc_seg')
        return losses
