# Copyright (c) mmavs contributors. All rights reserved.
"""The released CAVP network: an independent re-implementation of the
official forward (written from ``models/cavp_model.py``, ``models/attn.py``,
``models/visual/deeplabv3/encoder_decoder.py``,
``models/visual/backbones/resnet.py`` and ``models/audio/`` of cyh-0/CAVP),
saved in the released key layouts, converted by
``tools/model_converters/cavp2mmavs.py`` and compared with the mmavs model
built from the released config: equal logits, mono and stereo audio."""
import json
import os.path as osp
import subprocess
import sys
from functools import partial

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config

from mmavs.models.utils import cavp_convert
from mmavs.registry import MODELS
from mmavs.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'cavp',
                  'cavp_r50-d16_1xb16-80e_avss-224x224.py')
TOOL = osp.join(ROOT, 'tools', 'model_converters', 'cavp2mmavs.py')


# ---- the official network, re-written from the official code ----------
class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None,
                 dilation=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, padding=dilation,
                               dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU()
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(out + res)


class DeepStemResNet(nn.Module):
    """``ResNet(Bottleneck, [3, 4, 6, 3], deep_stem=True)``."""

    def __init__(self, stem_width, planes):
        super().__init__()
        self.inplanes = stem_width * 2
        self.conv1 = nn.Sequential(
            nn.Conv2d(3, stem_width, 3, 2, 1, bias=False),
            nn.BatchNorm2d(stem_width), nn.ReLU(),
            nn.Conv2d(stem_width, stem_width, 3, 1, 1, bias=False),
            nn.BatchNorm2d(stem_width), nn.ReLU(),
            nn.Conv2d(stem_width, stem_width * 2, 3, 1, 1, bias=False))
        self.bn1 = nn.BatchNorm2d(stem_width * 2)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        for i, (p, n) in enumerate(zip(planes, (3, 4, 6, 3))):
            setattr(self, f'layer{i + 1}',
                    self._make_layer(p, n, 1 if i == 0 else 2))

    def _make_layer(self, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * 4, 1, stride, bias=False),
                nn.BatchNorm2d(planes * 4))
        layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * 4
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        out = []
        for i in range(4):
            x = getattr(self, f'layer{i + 1}')(x)
            out.append(x)
        return out


def nostride_dilate(m, dilate):
    if isinstance(m, nn.Conv2d):
        if m.stride == (2, 2):
            m.stride = (1, 1)
        if m.kernel_size == (3, 3):
            m.dilation = (dilate, dilate)
            m.padding = (dilate, dilate)


class VisualBackbone(nn.Module):
    """``Backbone``: layer4 blocks get stride 1 and dilations 2, 4, 8."""

    def __init__(self, stem_width, planes):
        super().__init__()
        self.backbone = DeepStemResNet(stem_width, planes)
        dilate = 2
        for m in self.backbone.layer4.children():
            m.apply(partial(nostride_dilate, dilate=dilate))
            dilate *= 2

    def forward(self, x):
        return self.backbone(x)


class ASPP(nn.Module):

    def __init__(self, cin, cout, rates, hidden):
        super().__init__()
        self.map_convs = nn.ModuleList([
            nn.Conv2d(cin, hidden, 1, bias=False),
            *(nn.Conv2d(cin, hidden, 3, bias=False, dilation=r, padding=r)
              for r in rates)
        ])
        self.map_bn = nn.BatchNorm2d(hidden * 4)
        self.global_pooling_conv = nn.Conv2d(cin, hidden, 1, bias=False)
        self.global_pooling_bn = nn.BatchNorm2d(hidden)
        self.red_conv = nn.Conv2d(hidden * 4, cout, 1, bias=False)
        self.pool_red_conv = nn.Conv2d(hidden, cout, 1, bias=False)
        self.red_bn = nn.BatchNorm2d(cout)
        self.leak_relu = nn.LeakyReLU()

    def forward(self, x):
        out = torch.cat([m(x) for m in self.map_convs], dim=1)
        out = self.red_conv(self.leak_relu(self.map_bn(out)))
        pool = x.view(x.size(0), x.size(1), -1).mean(dim=-1)
        pool = pool.view(x.size(0), x.size(1), 1, 1)
        pool = self.leak_relu(
            self.global_pooling_bn(self.global_pooling_conv(pool)))
        pool = self.pool_red_conv(pool).repeat(1, 1, x.size(2), x.size(3))
        out += pool
        return self.leak_relu(self.red_bn(out))


class Upsampling(nn.Module):

    def __init__(self, width, num_classes, conv_in):
        super().__init__()
        self.classifier = nn.Conv2d(width, num_classes, 1, bias=True)
        self.last_conv = nn.Sequential(
            nn.Conv2d(conv_in, width, 3, 1, 1, bias=False),
            nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, 1, 1, bias=False),
            nn.BatchNorm2d(width), nn.ReLU())

    def forward(self, x):
        return self.classifier(self.last_conv(x))


class DeepLabV3Plus(nn.Module):

    def __init__(self, num_classes, cin, width, c1_in, c1):
        super().__init__()
        self.aspp = ASPP(cin, width, [6, 12, 18], hidden=width)
        self.reduce = nn.Sequential(
            nn.Conv2d(c1_in, c1, 1, bias=False), nn.BatchNorm2d(c1),
            nn.ReLU())
        self.upsample = Upsampling(width, num_classes, width + c1)

    def forward_feature(self, f_list):
        f = self.aspp(f_list[-1])
        low = f_list[0]
        low_h, low_w = low.shape[2:]
        low = self.reduce(low)
        f = F.interpolate(
            f, size=(low_h, low_w), mode='bilinear', align_corners=True)
        return torch.cat((f, low), dim=1)


class Mlp(nn.Module):

    def __init__(self, cin, hidden, cout=None):
        super().__init__()
        self.fc1 = nn.Linear(cin, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, cout or cin)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class PatchEmbed(nn.Module):

    def __init__(self, dim_in, embed_dim):
        super().__init__()
        self.proj = nn.Linear(dim_in, embed_dim)

    def forward(self, x):
        b, c, h, w = x.shape
        return self.proj(x.reshape(b, c, h * w).permute(0, 2, 1))


class Attention(nn.Module):

    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads)**-0.5
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.proj = nn.Linear(dim, dim)

    def projection(self, x, f_proj):
        B, N, C = x.shape
        return f_proj(x).reshape(B, N, 1, self.num_heads,
                                 C // self.num_heads).permute(2, 0, 3, 1,
                                                              4)[0]

    def forward(self, x_q, x_k, x_v):
        B, N, C = x_q.shape
        q = self.projection(x_q, self.q)
        k = self.projection(x_k, self.k)
        v = self.projection(x_v, self.v)
        attn = torch.sigmoid((q @ k.transpose(-2, -1)) * self.scale)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x), attn


class Block(nn.Module):

    def __init__(self, dim, num_heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, dim * 4)

    def sdp(self, q, k, v):
        out, attn = self.attn(q, k, v)
        q = q + out
        return q + self.mlp(self.norm2(q)), attn

    def forward(self, f_v, f_a):
        f_v, f_a = self.norm1(f_v), self.norm1(f_a)
        f_v, attn_v = self.sdp(f_v, f_a, f_a)
        f_a, _ = self.sdp(f_a, f_v, f_v)
        return f_v, f_a, attn_v


class CrossAttention(nn.Module):

    def __init__(self, dim, num_heads=4, depth=1):
        super().__init__()
        self.patch_embed_v = PatchEmbed(dim, dim)
        self.patch_embed_a = PatchEmbed(dim, dim)
        # held by the official module, never used by its forward
        self.pos_embed_v = nn.Parameter(torch.zeros(1, 128 * 128, dim))
        self.pos_embed_a = nn.Parameter(torch.zeros(1, 1, dim))
        self.blocks = nn.Sequential(
            *[Block(dim, num_heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, f_v, f_a):
        f_v, f_a = self.patch_embed_v(f_v), self.patch_embed_a(f_a)
        for layer in self.blocks:
            f_v, f_a, attn_v = layer(f_v, f_a)
        return self.norm(f_v), f_a, attn_v


class VGG(nn.Module):
    """``models/audio/backbones/vgg.py``, widths as parameters."""

    def __init__(self, convs, fcs):
        super().__init__()
        layers, cin, h, w = [], 1, 96, 64
        for v in convs:
            if v == 'M':
                layers.append(nn.MaxPool2d(2, 2))
                h, w = h // 2, w // 2
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
                cin = v
        self.features = nn.Sequential(*layers)
        emb, fin = [], cin * h * w
        for v in fcs:
            emb += [nn.Linear(fin, v), nn.ReLU()]
            fin = v
        self.embeddings = nn.Sequential(*emb)

    def forward(self, x):
        x = self.features(x)
        x = torch.transpose(x, 1, 3)
        x = torch.transpose(x, 1, 2)
        return self.embeddings(x.contiguous().view(x.size(0), -1))


class BasicBlock(nn.Module):
    """torchvision's ResNet-18 block."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False),
                nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(out + res)


class ResNet18Audio(nn.Module):
    """torchvision ``resnet18`` with ``conv1`` for ``in_plane`` channels,
    ``avgpool`` -> ``AdaptiveMaxPool2d`` and ``fc`` 512 -> latent."""

    def __init__(self, in_plane, latent):
        super().__init__()
        self.conv1 = nn.Conv2d(in_plane, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, c in enumerate((64, 128, 256, 512)):
            s = 1 if i == 0 else 2
            setattr(self, f'layer{i + 1}',
                    nn.Sequential(BasicBlock(cin, c, s), BasicBlock(c, c)))
            cin = c
        self.avgpool = nn.AdaptiveMaxPool2d((1, 1))
        self.fc = nn.Linear(512, latent)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(4):
            x = getattr(self, f'layer{i + 1}')(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


class AudioModel(nn.Module):

    def __init__(self, backbone, latent):
        super().__init__()
        self.backbone = backbone
        self.cls_head = nn.Linear(latent, 2)  # never used by the forward

    def forward(self, x):
        return self.backbone(x)


class OfficialCAVP(nn.Module):
    """``CAVP.forward_inference`` with ``seg_model='DeepLabV3Plus'``."""

    def __init__(self, num_classes, audio, w):
        super().__init__()
        planes = tuple(w['base'] * 2**i for i in range(4))
        latent = w['aspp'] + w['c1']
        self.backbone = VisualBackbone(w['stem'], planes)
        self.segment = DeepLabV3Plus(num_classes, planes[3] * 4, w['aspp'],
                                     planes[0] * 4, w['c1'])
        self.cross_att = CrossAttention(latent)
        self.visual_projector = Mlp(latent, w['proj'], latent)
        self.audio_backbone = AudioModel(audio, latent)

    def forward(self, image, audio):
        input_shape = image.shape[-2:]
        fea_v = self.segment.forward_feature(self.backbone(image))
        fea_a = self.audio_backbone(audio)
        b, c, h, w = fea_v.shape
        v = self.visual_projector(fea_v.flatten(2).transpose(1, 2))
        v = v.transpose(1, 2).reshape(b, c, h, w)
        v, _, _ = self.cross_att(v, fea_a.unsqueeze(-1).unsqueeze(-1))
        v = v.transpose(1, 2).reshape(b, c, h, w)
        out = self.segment.upsample(v.contiguous())
        return F.interpolate(
            out, size=input_shape, mode='bilinear', align_corners=False)


# ---- helpers ------------------------------------------------------------
NARROW = dict(stem=8, base=4, aspp=16, c1=8, proj=12)
VGG_NARROW = ((8, 'M', 16, 'M', 16, 'M', 16, 'M'), (32, 24))
NUM_CLASSES = 5


def randomise(model: nn.Module) -> nn.Module:
    """Random weights, non-trivial BatchNorm statistics and affine terms."""
    torch.manual_seed(0)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.2)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0, 0.2)
        elif isinstance(m, nn.LayerNorm):
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.normal_(0, 0.2)
        elif isinstance(m, (nn.Linear, nn.Conv2d)) and m.bias is not None:
            m.bias.data.normal_(0, 0.1)
    return model.eval()


def official_model(stereo: bool) -> OfficialCAVP:
    latent = NARROW['aspp'] + NARROW['c1']
    audio = ResNet18Audio(2, latent) if stereo else VGG(*VGG_NARROW)
    model = randomise(OfficialCAVP(NUM_CLASSES, audio, NARROW))
    model.segment.upsample.classifier.weight.data *= 10  # logits of ~1
    return model


def mmavs_model(stereo: bool) -> nn.Module:
    """The released config at the widths of :data:`NARROW`."""
    cfg = Config.fromfile(CONFIG)
    latent = NARROW['aspp'] + NARROW['c1']
    cfg.merge_from_dict({
        'model.backbone.stem_channels': NARROW['stem'] * 2,
        'model.backbone.base_channels': NARROW['base'],
        'model.decode_head.head.in_channels': NARROW['base'] * 8 * 4,
        'model.decode_head.head.channels': NARROW['aspp'],
        'model.decode_head.head.c1_in_channels': NARROW['base'] * 4,
        'model.decode_head.head.c1_channels': NARROW['c1'],
        'model.decode_head.head.num_classes': NUM_CLASSES,
        'model.decode_head.fusion.in_channels': latent,
        'model.decode_head.fusion.audio_channels': latent,
        'model.decode_head.fusion.embed_dims': latent,
        'model.decode_head.fusion.projector_channels': NARROW['proj'],
    })
    if stereo:
        cfg.model.audio_backbone = dict(
            type='ResNetAudio', depth=18, in_channels=2, out_channels=latent)
    else:
        cfg.model.audio_backbone.update(
            conv_channels=VGG_NARROW[0], fc_channels=VGG_NARROW[1],
            init_cfg=None)
    return MODELS.build(cfg.model).eval()


def layouts(state_dict):
    """The released layouts: a training checkpoint (``model`` with
    ``module.``), a plain state dict, a plain one with ``module.``."""
    prefixed = {f'module.{k}': v for k, v in state_dict.items()}
    return dict(
        training=dict(model=prefixed, epoch=3, iteration=10),
        plain=dict(state_dict),
        plain_module=prefixed)


# ---- tests --------------------------------------------------------------
@pytest.mark.parametrize('stereo', [False, True], ids=['mono', 'stereo'])
def test_converted_checkpoint_gives_the_official_logits(stereo):
    official = official_model(stereo)
    model = mmavs_model(stereo)
    img = torch.randn(2, 3, 64, 64)
    audio = torch.randn(2, 1 + stereo, 96, 64)
    with torch.no_grad():
        expected = official(img, audio)
    for name, ckpt in layouts(official.state_dict()).items():
        converted, info = cavp_convert(ckpt)
        assert info['audio'] == ('resnet18' if stereo else 'vgg')
        assert info['in_channels'] == 1 + stereo
        assert info['num_classes'] == NUM_CLASSES
        assert sorted(info['dropped_keys']) == [
            'audio_backbone.cls_head.bias', 'audio_backbone.cls_head.weight',
            'cross_att.pos_embed_a', 'cross_att.pos_embed_v'
        ]
        model.load_state_dict(converted, strict=True)
        with torch.no_grad():
            logits = model.encode_decode(
                dict(imgs=img[:, None], audio=audio[:, None]),
                [dict(img_shape=(64, 64))] * 2)
        assert logits.shape == expected.shape == (2, NUM_CLASSES, 64, 64)
        assert expected.std() > 0.1  # not a degenerate comparison
        torch.testing.assert_close(logits, expected, atol=1e-4, rtol=0)
        # the audio matters: other audio, other logits
        with torch.no_grad():
            other = model.encode_decode(
                dict(imgs=img[:, None], audio=audio.flip(0)[:, None]),
                [dict(img_shape=(64, 64))] * 2)
        assert (other - logits).abs().max() > 1e-3, name


def test_full_size_release_loads_strictly_into_the_config():
    """The released R50 / VGG-304 / 71-class layout (on the meta device)
    converts onto exactly the keys and shapes of the released config."""
    width = dict(stem=64, base=64, aspp=256, c1=48, proj=256)
    convs = (64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M')
    with torch.device('meta'):
        official = OfficialCAVP(71, VGG(convs, (4096, 4096, 304)), width)
        model = MODELS.build(Config.fromfile(CONFIG).model)
    converted, _ = cavp_convert({'model': official.state_dict()})
    expected = {
        k: tuple(v.shape)
        for k, v in model.state_dict().items()
        if not k.endswith(('bank.classes', 'bank.clips'))  # the audio bank
    }
    assert {k: tuple(v.shape) for k, v in converted.items()} == expected


def test_unknown_keys_are_all_named():
    state = official_model(False).state_dict()
    state['segment.extra.weight'] = torch.zeros(1)
    state['module.foo'] = torch.zeros(1)
    with pytest.raises(ValueError, match='2 keys') as err:
        cavp_convert({'model': state})
    assert 'segment.extra.weight' in str(err.value)
    assert "'foo'" in str(err.value)


@pytest.mark.slow
def test_tool_converts_and_checks_strict_loading(tmp_path):
    official = official_model(False)
    src = tmp_path / 'avss_224.pth'
    torch.save(layouts(official.state_dict())['training'], src)
    dst = tmp_path / 'converted.pth'
    # the narrow test model does not fit the full-size config
    proc = subprocess.run(
        [sys.executable, TOOL, str(src), str(dst), '--config', CONFIG],
        capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0 and not dst.exists()
    assert 'misshapen' in proc.stderr and 'avss_224.pth' in proc.stderr
    proc = subprocess.run([sys.executable, TOOL, str(src), str(dst)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ckpt = torch.load(dst, weights_only=False)
    assert ckpt['meta']['audio'] == 'vgg'
    model = mmavs_model(False)
    model.load_state_dict(ckpt['state_dict'], strict=True)


def narrow_options(num_classes):
    """--cfg-options that give a released config the widths of NARROW."""
    latent = NARROW['aspp'] + NARROW['c1']
    head, fusion = 'model.decode_head.head', 'model.decode_head.fusion'
    convs = ','.join(str(c) for c in VGG_NARROW[0])
    return [
        f'model.backbone.stem_channels={NARROW["stem"] * 2}',
        f'model.backbone.base_channels={NARROW["base"]}',
        f'{head}.in_channels={NARROW["base"] * 32}',
        f'{head}.channels={NARROW["aspp"]}',
        f'{head}.c1_in_channels={NARROW["base"] * 4}',
        f'{head}.c1_channels={NARROW["c1"]}',
        f'model.decode_head.num_classes={num_classes}',
        f'{fusion}.in_channels={latent}',
        f'{fusion}.audio_channels={latent}',
        f'{fusion}.embed_dims={latent}',
        f'{fusion}.projector_channels={NARROW["proj"]}',
        f'model.audio_backbone.conv_channels=({convs})',
        'model.audio_backbone.fc_channels=(32,24)',
        'model.audio_backbone.init_cfg=None',
    ]


@pytest.mark.slow
@pytest.mark.parametrize('name, num_classes, tree', [
    ('avss', 5, 'tiny_avss_root'),
    ('avsbench-s4', 2, 'tiny_avs_root'),
    ('avsbench-ms3', 2, 'tiny_avs_root'),
])
def test_tools_test_runs_the_released_configs(name, num_classes, tree,
                                              request, tmp_path):
    """A released-layout checkpoint, converted, through tools/test.py on
    the synthetic trees (AVSS; S4 / MS3 for AVSBench-Object) with each
    released config (at the narrow widths)."""
    root = request.getfixturevalue(tree)
    torch.manual_seed(0)
    official = randomise(
        OfficialCAVP(num_classes, VGG(*VGG_NARROW), NARROW))
    # the tool itself is run by test_tool_converts_and_checks_strict_loading
    converted, _ = cavp_convert(layouts(official.state_dict())['training'])
    dst = tmp_path / 'mmavs.pth'
    torch.save(dict(state_dict=converted), dst)
    config = CONFIG.replace('avss', name)
    options = narrow_options(num_classes) + [
        f'{s}_dataloader.{key}' for s in ('train', 'val', 'test')
        for key in (f'dataset.data_root={root}', 'num_workers=0',
                    'persistent_workers=False')
    ]
    run = partial(subprocess.run, capture_output=True, text=True, cwd=ROOT)
    proc = run([
        sys.executable, 'tools/test.py', config, str(dst), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options', *options
    ])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'missing keys' not in proc.stdout + proc.stderr
    with open(tmp_path / 'test' / 'test_metrics.json') as f:
        metrics = json.load(f)
    expected = {'mIoU', 'mFscore', 'mFDR', 'J', 'F'}
    if name != 'avss':
        expected |= {'mJ', 'mF'}
    assert expected <= set(metrics)
    assert all(0 <= metrics[k] <= 1 for k in expected - {'mFDR'})
