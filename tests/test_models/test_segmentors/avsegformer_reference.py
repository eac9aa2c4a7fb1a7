# Copyright (c) mmavs contributors. All rights reserved.
"""An independent re-implementation of the released AVSegFormer forward.

Written for the equivalence test from the release's code
(``vvvb-github/AVSegFormer``: ``model/AVSegFormer.py``,
``model/head/AVSegHead.py``, ``model/utils/*.py``, ``model/backbone/*.py``,
``model/vggish/vggish.py``) and Deformable-DETR's PyTorch reference of the
sampling (``ms_deform_attn_core_pytorch``), with torch only: nothing of
mmavs, mmcv or mmseg. Module and parameter names are the release's, so the
state dict has the released checkpoint layout, unused layers included
(``backbone.layer{3,4}_2``, ``head.fpn``, ``head.attn_fc``). Eval mode only
(dropouts are left out).
"""
import math
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


def deform_sample(value: Tensor, shapes: Sequence[Tuple[int, int]],
                  locations: Tensor, weights: Tensor) -> Tensor:
    """Deformable-DETR's reference sampling: bilinear ``grid_sample`` of
    each level at ``locations`` in [0, 1] (zeros outside), weighted sum.

    value (N, S, M, D), locations (N, Q, M, L, P, 2), weights
    (N, Q, M, L, P) -> (N, Q, M * D).
    """
    n, _, m, d = value.shape
    _, q, _, num_levels, p, _ = locations.shape
    per_level = value.split([h * w for h, w in shapes], dim=1)
    grids = locations * 2 - 1
    sampled = []
    for lvl, (h, w) in enumerate(shapes):
        v = per_level[lvl].permute(0, 2, 3, 1).reshape(n * m, d, h, w)
        g = grids[:, :, :, lvl].permute(0, 2, 1, 3, 4).reshape(n * m, q, p, 2)
        sampled.append(
            F.grid_sample(
                v, g, mode='bilinear', padding_mode='zeros',
                align_corners=False))  # (N*M, D, Q, P)
    stacked = torch.stack(sampled, dim=3).reshape(n * m, d, q,
                                                  num_levels * p)
    w = weights.permute(0, 2, 1, 3, 4).reshape(n * m, 1, q, num_levels * p)
    out = (stacked * w).sum(-1).reshape(n, m * d, q)
    return out.permute(0, 2, 1)


class MSDeformAttn(nn.Module):

    def __init__(self, d_model=256, n_levels=3, n_heads=8, n_points=4):
        super().__init__()
        self.n_levels, self.n_heads = n_levels, n_heads
        self.n_points = n_points
        self.sampling_offsets = nn.Linear(d_model,
                                          n_heads * n_levels * n_points * 2)
        self.attention_weights = nn.Linear(d_model,
                                           n_heads * n_levels * n_points)
        self.value_proj = nn.Linear(d_model, d_model)
        self.output_proj = nn.Linear(d_model, d_model)

    def forward(self, query, reference_points, x, shapes):
        n, q, c = query.shape
        value = self.value_proj(x).view(n, x.shape[1], self.n_heads, -1)
        offsets = self.sampling_offsets(query).view(n, q, self.n_heads,
                                                    self.n_levels,
                                                    self.n_points, 2)
        weights = self.attention_weights(query).view(
            n, q, self.n_heads, self.n_levels * self.n_points).softmax(-1)
        weights = weights.view(n, q, self.n_heads, self.n_levels,
                               self.n_points)
        wh = torch.tensor([[w, h] for h, w in shapes], dtype=query.dtype)
        locations = reference_points[:, :, None, :, None, :] + \
            offsets / wh[None, None, None, :, None, :]
        return self.output_proj(
            deform_sample(value, shapes, locations, weights))


class EncoderLayer(nn.Module):

    def __init__(self, dim=256, ffn_dim=2048):
        super().__init__()
        self.self_attn = MSDeformAttn(dim)
        self.norm1 = nn.LayerNorm(dim)
        self.linear1 = nn.Linear(dim, ffn_dim)
        self.linear2 = nn.Linear(ffn_dim, dim)
        self.norm2 = nn.LayerNorm(dim)

    def forward(self, src, pos, ref, shapes):
        src = self.norm1(src + self.self_attn(src + pos, ref, src, shapes))
        return self.norm2(src + self.linear2(F.gelu(self.linear1(src))))


class DecoderLayer(nn.Module):

    def __init__(self, dim=256, heads=8, ffn_dim=2048):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm1 = nn.LayerNorm(dim)
        self.cross_attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.linear1 = nn.Linear(dim, ffn_dim)
        self.linear2 = nn.Linear(ffn_dim, dim)
        self.norm3 = nn.LayerNorm(dim)

    def forward(self, query, memory):
        query = self.norm1(query + self.self_attn(query, query, query)[0])
        query = self.norm2(query +
                           self.cross_attn(query, memory, memory)[0])
        return self.norm3(query + self.linear2(F.gelu(self.linear1(query))))


class Encoder(nn.Module):

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer() for _ in range(6))


class Decoder(nn.Module):

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(DecoderLayer() for _ in range(6))


class Transformer(nn.Module):

    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = Decoder()


class GeneratorLayer(nn.Module):

    def __init__(self, dim=256, heads=8, hidden=1024):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(
            dim, heads, bias=False, batch_first=True)
        self.cross_attn = nn.MultiheadAttention(
            dim, heads, bias=False, batch_first=True)
        self.ffn = nn.Sequential(
            nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.norm3 = nn.LayerNorm(dim)

    def forward(self, q, a):
        q = self.norm1(q + self.self_attn(q, q, q)[0])
        q = self.norm2(q + self.cross_attn(q, a, a)[0])
        return self.norm3(q + self.ffn(q))


class Generator(nn.Module):

    def __init__(self, num_query=300, dim=256):
        super().__init__()
        self.query = nn.Embedding(num_query, dim)
        self.layers = nn.ModuleList(GeneratorLayer() for _ in range(6))

    def forward(self, audio):
        q = self.query.weight.unsqueeze(0).repeat(audio.shape[0], 1, 1)
        for layer in self.layers:
            q = layer(q, audio)
        return q


class Mixer(nn.Module):

    def __init__(self, dim=256, heads=8):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.kv_proj = nn.Linear(dim, 2 * dim, bias=False)
        self.proj = nn.Linear(dim, dim)

    def forward(self, fmap, audio):
        n, c, h, w = fmap.shape
        d = c // self.heads
        tokens = fmap.reshape(n, c, h * w).permute(0, 2, 1)
        q = self.q_proj(audio).view(n, 1, self.heads, d).permute(0, 2, 1, 3)
        kv = self.kv_proj(tokens).view(n, h * w, 2, self.heads, d)
        k = kv[:, :, 0].permute(0, 2, 1, 3)
        v = kv[:, :, 1].permute(0, 2, 1, 3)
        attn = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(d), dim=-1)
        gate = self.proj((attn @ v).permute(0, 2, 1, 3).reshape(n, c))
        return fmap * torch.sigmoid(gate).view(n, c, 1, 1)


def sine_pos(h, w, num_feats=128, temperature=10000):
    """DETR's encoding through a mask of zeros, as mmdet (not normalised)."""
    not_mask = torch.ones(1, h, w)
    y = not_mask.cumsum(1)
    x = not_mask.cumsum(2)
    dim_t = torch.arange(num_feats, dtype=torch.float32)
    dim_t = temperature**(2 * torch.div(dim_t, 2, rounding_mode='floor') /
                          num_feats)
    px, py = x[..., None] / dim_t, y[..., None] / dim_t
    px = torch.stack((px[..., 0::2].sin(), px[..., 1::2].cos()),
                     dim=4).view(1, h, w, -1)
    py = torch.stack((py[..., 0::2].sin(), py[..., 1::2].cos()),
                     dim=4).view(1, h, w, -1)
    return torch.cat((py, px), dim=3).permute(0, 3, 1, 2)


def conv_gn(cin, cout, k):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, padding=k // 2), nn.GroupNorm(32, cout))


class Head(nn.Module):

    def __init__(self, in_channels, num_classes, dim=256, num_query=300):
        super().__init__()
        self.level_embed = nn.Parameter(torch.randn(3, dim))
        self.learnable_query = nn.Embedding(num_query, dim)
        self.query_generator = Generator(num_query, dim)
        self.transformer = Transformer()
        self.in_proj = nn.ModuleList(conv_gn(c, dim, 1) for c in in_channels)
        self.mlp = nn.Module()
        self.mlp.layers = nn.ModuleList([
            nn.Conv2d(num_query, 2048, 1),
            nn.Conv2d(2048, 2048, 1),
            nn.Conv2d(2048, dim, 1)
        ])
        self.fusion_block = Mixer(dim)
        self.lateral_conv = conv_gn(dim, dim, 1)
        self.out_conv = nn.Sequential(*conv_gn(dim, dim, 3), nn.ReLU())
        # built, never used by the forward
        self.fpn = nn.Module()
        for i in (1, 2, 3):
            setattr(self.fpn, f'up{i}',
                    nn.Sequential(nn.Identity(), nn.Conv2d(dim, dim, 3)))
        self.attn_fc = self._classifier(dim, num_classes)
        self.fc = self._classifier(dim, num_classes)

    @staticmethod
    def _classifier(dim, num_classes):
        return nn.Sequential(
            nn.Conv2d(dim, 128, 3, padding=1), nn.Upsample(scale_factor=4),
            nn.Conv2d(128, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, num_classes, 1, bias=False))

    def forward(self, feats: List[Tensor], audio: Tensor) -> Tensor:
        feat4 = self.in_proj[0](feats[0])
        srcs = [self.in_proj[i](feats[i]) for i in (1, 2, 3)]
        shapes = [tuple(s.shape[-2:]) for s in srcs]
        src = torch.cat([s.flatten(2).transpose(1, 2) for s in srcs], 1)
        pos = torch.cat([
            sine_pos(h, w).flatten(2).transpose(1, 2) + self.level_embed[i]
            for i, (h, w) in enumerate(shapes)
        ], 1)
        refs = []
        for h, w in shapes:
            ry, rx = torch.meshgrid(
                torch.linspace(0.5, h - 0.5, h),
                torch.linspace(0.5, w - 0.5, w),
                indexing='ij')
            refs.append(torch.stack((rx.reshape(-1) / w, ry.reshape(-1) / h),
                                    -1))
        ref = torch.cat(refs)[None, :, None].repeat(src.shape[0], 1, 3, 1)
        memory = src
        for layer in self.transformer.encoder.layers:
            memory = layer(memory, pos, ref, shapes)

        query = self.query_generator(audio) + self.learnable_query.weight[None]
        for layer in self.transformer.decoder.layers:
            query = layer(query, memory)

        n = src.shape[0]
        (h, w) = shapes[0]
        level1 = memory[:, :h * w].transpose(1, 2).reshape(n, -1, h, w)
        mask_feature = self.lateral_conv(feat4) + F.interpolate(
            level1, size=feat4.shape[-2:], mode='bilinear',
            align_corners=False)
        mask_feature = self.fusion_block(self.out_conv(mask_feature), audio)
        x = torch.einsum('bqc,bchw->bqhw', query, mask_feature)
        for i, conv in enumerate(self.mlp.layers):
            x = conv(x) if i == 2 else F.relu(conv(x))
        x = mask_feature + x
        fc = self.fc
        x = F.interpolate(
            fc[0](x), scale_factor=4, mode='bilinear', align_corners=False)
        return fc[4](F.relu(fc[2](x))), mask_feature


class Bottleneck(nn.Module):

    def __init__(self, cin, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if stride != 1 or cin != planes * 4:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, planes * 4, 1, stride, bias=False),
                nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(out + identity)


def res_layer(cin, planes, blocks, stride):
    return nn.Sequential(
        Bottleneck(cin, planes, stride),
        *[Bottleneck(planes * 4, planes) for _ in range(blocks - 1)])


class B2ResNet50(nn.Module):
    """ResNet-50 with the release's unused second copy of stages 3-4."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.layer1 = res_layer(64, 64, 3, 1)
        self.layer2 = res_layer(256, 128, 4, 2)
        self.layer3_1 = res_layer(512, 256, 6, 2)
        self.layer4_1 = res_layer(1024, 512, 3, 2)
        self.layer3_2 = res_layer(512, 256, 6, 2)
        self.layer4_2 = res_layer(1024, 512, 3, 2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        x1 = self.layer1(x)
        x2 = self.layer2(x1)
        x3 = self.layer3_1(x2)
        return [x1, x2, x3, self.layer4_1(x3)]


class PVTAttention(nn.Module):

    def __init__(self, dim, heads, sr):
        super().__init__()
        self.heads, self.sr_ratio = heads, sr
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.proj = nn.Linear(dim, dim)
        if sr > 1:
            self.sr = nn.Conv2d(dim, dim, sr, sr)
            self.norm = nn.LayerNorm(dim)

    def forward(self, x, h, w):
        n, s, c = x.shape
        d = c // self.heads
        q = self.q(x).view(n, s, self.heads, d).transpose(1, 2)
        kv_in = x
        if self.sr_ratio > 1:
            grid = x.transpose(1, 2).reshape(n, c, h, w)
            kv_in = self.norm(self.sr(grid).flatten(2).transpose(1, 2))
        kv = self.kv(kv_in).view(n, -1, 2, self.heads, d)
        k, v = kv[:, :, 0].transpose(1, 2), kv[:, :, 1].transpose(1, 2)
        attn = torch.softmax(q @ k.transpose(2, 3) * d**-0.5, -1)
        return self.proj((attn @ v).transpose(1, 2).reshape(n, s, c))


class PVTMlp(nn.Module):

    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = nn.Module()
        self.dwconv.dwconv = nn.Conv2d(hidden, hidden, 3, 1, 1, groups=hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x, h, w):
        x = self.fc1(x)
        n, s, c = x.shape
        x = self.dwconv.dwconv(x.transpose(1, 2).reshape(n, c, h, w))
        return self.fc2(F.gelu(x.flatten(2).transpose(1, 2)))


class PVTBlock(nn.Module):

    def __init__(self, dim, heads, mlp_ratio, sr):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = PVTAttention(dim, heads, sr)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = PVTMlp(dim, dim * mlp_ratio)

    def forward(self, x, h, w):
        x = x + self.attn(self.norm1(x), h, w)
        return x + self.mlp(self.norm2(x), h, w)


class PVTv2(nn.Module):
    """The release's PVT-v2 (qkv bias, LayerNorm eps 1e-6 in blocks and
    stage norms, 1e-5 in patch embeddings and spatial reduction)."""

    def __init__(self, dims, depths, heads, mlp_ratios, srs=(8, 4, 2, 1)):
        super().__init__()
        cin = 3
        for i, dim in enumerate(dims):
            k, s = (7, 4) if i == 0 else (3, 2)
            embed = nn.Module()
            embed.proj = nn.Conv2d(cin, dim, k, s, k // 2)
            embed.norm = nn.LayerNorm(dim)
            setattr(self, f'patch_embed{i + 1}', embed)
            setattr(
                self, f'block{i + 1}',
                nn.ModuleList(
                    PVTBlock(dim, heads[i], mlp_ratios[i], srs[i])
                    for _ in range(depths[i])))
            setattr(self, f'norm{i + 1}', nn.LayerNorm(dim, eps=1e-6))
            cin = dim
        self.num_stages = len(dims)

    def forward(self, x):
        outs = []
        for i in range(1, self.num_stages + 1):
            embed = getattr(self, f'patch_embed{i}')
            x = embed.proj(x)
            n, _, h, w = x.shape
            x = embed.norm(x.flatten(2).transpose(1, 2))
            for blk in getattr(self, f'block{i}'):
                x = blk(x, h, w)
            x = getattr(self, f'norm{i}')(x)
            x = x.reshape(n, h, w, -1).permute(0, 3, 1, 2)
            outs.append(x)
        return outs


class VGGishRef(nn.Module):

    def __init__(self):
        super().__init__()
        layers, cin = [], 1
        for v in (64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M'):
            if v == 'M':
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
                cin = v
        self.features = nn.Sequential(*layers)
        self.embeddings = nn.Sequential(
            nn.Linear(512 * 24, 4096), nn.ReLU(), nn.Linear(4096, 4096),
            nn.ReLU(), nn.Linear(4096, 128), nn.ReLU())

    def forward(self, x):
        x = self.features(x)
        # channel-last flatten, as the TensorFlow original
        return self.embeddings(x.permute(0, 2, 3, 1).reshape(x.shape[0], -1))


class AVSegFormerRef(nn.Module):
    """The released ``AVSegFormer`` (eval): returns (logits, mask feature)."""

    def __init__(self, backbone: nn.Module, in_channels, num_classes=1):
        super().__init__()
        self.backbone = backbone
        self.vggish = VGGishRef()
        self.head = Head(in_channels, num_classes)
        self.audio_proj = nn.Linear(128, 256)

    def forward(self, audio, frames):
        with torch.no_grad():
            audio_feat = self.vggish(audio)
        audio_feat = self.audio_proj(audio_feat.unsqueeze(1))
        return self.head(self.backbone(frames), audio_feat)


def randomise(model: nn.Module, generator: torch.Generator) -> None:
    """Non-trivial weights: every norm's affine parameters and BatchNorm
    statistics, the embeddings and the deformable attention's zero-started
    offsets and weights drawn at random."""

    def draw(t, std, mean=0.):
        t.copy_(torch.randn(t.shape, generator=generator) * std + mean)

    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.LayerNorm, nn.GroupNorm, nn.BatchNorm2d)):
                draw(m.weight, 0.2, 1.)
                draw(m.bias, 0.1)
            if isinstance(m, nn.BatchNorm2d):
                draw(m.running_mean, 0.1)
                m.running_var.copy_(
                    torch.rand(m.running_var.shape, generator=generator) +
                    0.5)
            if isinstance(m, MSDeformAttn):
                draw(m.sampling_offsets.weight, 0.02)
                draw(m.sampling_offsets.bias, 1.)
                draw(m.attention_weights.weight, 0.05)
                draw(m.attention_weights.bias, 0.5)
            if isinstance(m, nn.Embedding):
                draw(m.weight, 1.)
        for name, p in model.named_parameters():
            if name.endswith('bias') and p.dim() == 1 and not p.any():
                draw(p, 0.02)
        # logits of order 1, so that 1e-4 is a tight tolerance
        model.head.fc[4].weight.mul_(20)
