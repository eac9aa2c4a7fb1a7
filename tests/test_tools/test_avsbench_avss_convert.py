# Copyright (c) mmavs contributors. All rights reserved.
"""The released AVSBench-Semantics TPAVI models (``avs_scripts/avss`` of
OpenNLPLab/AVSBench) against the mmavs configs.

``OfficialAVSS`` below re-implements the official ``Pred_endecoder``
(``ResNet_AVSModel.py`` / ``PVT_AVSModel.py``) and ``IouSemanticAwareLoss``
(``loss.py``) from the official code, independently of mmavs: its module
names give the released checkpoint layout. With random weights and random
BatchNorm statistics its state dict is converted by ``avsbench2mmavs`` and
loaded strictly into the mmavs model of the config; logits (eval) and losses
(train mode, so BatchNorm uses the batch statistics of the padded batch) must
agree. Shared with mmavs: the VGGish features (the official model takes them
as input) and, for the PVT path, the PVT-v2 backbone (its official formula is
tested in ``tests/test_models/test_backbones/test_pvt_v2.py``), at arch b1
(the b5 key layout and channels, 2 blocks per stage) to stay fast; the
VGGish is narrowed too (128-d output kept): it only makes the features.
"""
import copy
import importlib.util
import os.path as osp
import sys

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.models.backbones import PyramidVisionTransformerV2
from mmavs.models.utils import avsbench_convert
from mmavs.registry import METRICS, MODELS
from mmavs.utils import load_local_checkpoint, register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
R50_TSV = osp.join(ROOT, 'tests', 'data',
                   'avsbench-official-tpavi-r50-state-dict.tsv')
CONFIGS = {
    'r50':
    osp.join(ROOT, 'configs', 'tpavi',
             'tpavi-avm-av_r50_1xb4-60e_avss-224x224.py'),
    'pvt_v2_b5':
    osp.join(ROOT, 'configs', 'tpavi',
             'tpavi-avm-av_pvt-v2-b5_1xb4-60e_avss-224x224.py'),
}
NUM_CLASSES = 71
MEAN = torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(3, 1, 1)
# the official ``B2_ResNet`` (the same class as AVSegFormer's release)
sys.path.insert(0, osp.join(ROOT, 'tests', 'test_models', 'test_segmentors'))
from avsegformer_reference import B2ResNet50  # noqa: E402


# ---- the official model, re-implemented ------------------------------------
class ClassifierModule(nn.Module):
    """The "ASPP": sum of four 3x3 convs, dilations 3, 6, 12, 18."""

    def __init__(self, in_channels, channels=256):
        super().__init__()
        self.conv2d_list = nn.ModuleList(
            nn.Conv2d(in_channels, channels, 3, padding=d, dilation=d)
            for d in (3, 6, 12, 18))

    def forward(self, x):
        return sum(conv(x) for conv in self.conv2d_list)


class ResidualConvUnit(nn.Module):

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        out = F.relu(x, inplace=True)  # the official in-place ReLU: x too
        out = self.conv2(F.relu(self.conv1(out)))
        return out + x


class FeatureFusionBlock(nn.Module):

    def __init__(self, channels):
        super().__init__()
        self.resConfUnit1 = ResidualConvUnit(channels)
        self.resConfUnit2 = ResidualConvUnit(channels)

    def forward(self, *xs):
        output = xs[0]
        if len(xs) == 2:
            output += self.resConfUnit1(xs[1])
        output = self.resConfUnit2(output)
        return F.interpolate(
            output, scale_factor=2, mode='bilinear', align_corners=True)


class TPAVIModule(nn.Module):
    """``model/TPAVI.py`` of avss (dot mode): ``align_channel`` without bias,
    the full (THW, THW) attention."""

    def __init__(self, channels=256):
        super().__init__()
        inter = channels // 2
        self.inter = inter
        self.align_channel = nn.Linear(128, channels, bias=False)
        self.norm_layer = nn.LayerNorm(channels)
        self.g = nn.Conv3d(channels, inter, 1)
        self.W_z = nn.Sequential(
            nn.Conv3d(inter, channels, 1), nn.BatchNorm3d(channels))
        self.theta = nn.Conv3d(channels, inter, 1)
        self.phi = nn.Conv3d(channels, inter, 1)

    def forward(self, x, audio):
        b, _, t, h, w = x.shape
        audio_temp = self.align_channel(audio)  # [b, T, C]
        a = audio_temp.permute(0, 2, 1)[..., None, None].repeat(1, 1, 1, h, w)
        g_x = self.g(x).view(b, self.inter, -1).permute(0, 2, 1)
        theta_x = self.theta(x).view(b, self.inter, -1).permute(0, 2, 1)
        phi_x = self.phi(a).view(b, self.inter, -1)
        f = torch.matmul(theta_x, phi_x)
        y = torch.matmul(f / f.size(-1), g_x)
        y = y.permute(0, 2, 1).contiguous().view(b, self.inter, t, h, w)
        z = self.W_z(y) + x
        z = self.norm_layer(z.permute(0, 2, 3, 4, 1)).permute(0, 4, 1, 2, 3)
        return z, audio_temp


class OfficialAVSS(nn.Module):
    """``Pred_endecoder`` of avss with ``tpavi_stages=[0, 1, 2, 3]`` and
    ``tpavi_va_flag``; its TPAVI groups frames by 5 (hard-coded). The PVT
    model is built with ``pvt_arch`` (the release: b5)."""

    def __init__(self, backbone, pvt_arch='b1'):
        super().__init__()
        if backbone == 'r50':
            self.resnet = B2ResNet50()
            dims = [256, 512, 1024, 2048]
        else:
            self.encoder_backbone = PyramidVisionTransformerV2(arch=pvt_arch)
            dims = [64, 128, 320, 512]
        self.backbone_name = 'resnet' if backbone == 'r50' else \
            'encoder_backbone'
        for i, dim in enumerate(dims, start=1):
            setattr(self, f'conv{i}', ClassifierModule(dim))
        for i in range(1, 5):
            setattr(self, f'path{i}', FeatureFusionBlock(256))
            setattr(self, f'tpavi_b{i}', TPAVIModule(256))
        self.output_conv = nn.Sequential(
            nn.Conv2d(256, 128, 3, padding=1),
            nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False),
            nn.Conv2d(128, 32, 3, padding=1), nn.ReLU(True),
            nn.Conv2d(32, NUM_CLASSES, 1))

    def forward(self, x, audio_feature, vid_flag):
        feats = getattr(self, self.backbone_name)(x)
        mask = vid_flag.view(-1, 1, 1, 1)
        feats = [
            getattr(self, f'conv{i + 1}')(f) * mask
            for i, f in enumerate(feats)
        ]
        audio = audio_feature.view(-1, 5, audio_feature.shape[-1])
        a_fea_list = []
        for i in range(4):
            _, c, h, w = feats[i].shape
            v = feats[i].reshape(-1, 5, c, h, w).permute(0, 2, 1, 3, 4)
            z, a = getattr(self, f'tpavi_b{i + 1}')(v.contiguous(), audio)
            feats[i] = z.permute(0, 2, 1, 3, 4).reshape(-1, c, h, w) * mask
            a_fea_list.append(a)
        out = self.path4(feats[3]) * mask
        out = self.path3(out, feats[2]) * mask
        out = self.path2(out, feats[1]) * mask
        out = self.path1(out, feats[0]) * mask
        return self.output_conv(out) * mask, feats, a_fea_list


def official_loss(pred, label, a_fea_list, v_map_list, gt_flag):
    """``IouSemanticAwareLoss`` as ``train.sh`` calls it: masked CE plus
    0.5 x ``A_MaskedV_SimmLoss`` (KL, stages 0-3, avg pooling, no
    normalisation)."""
    ce = nn.CrossEntropyLoss(reduction='none')(pred, label).mean((1, 2))
    ce = (ce * gt_flag).sum() / gt_flag.sum()
    fg = (torch.argmax(torch.softmax(pred, 1), 1) != 0).float()[:, None]
    avm = 0
    for a_fea, v_map in zip(a_fea_list, v_map_list):
        a_fea = a_fea.reshape(-1, a_fea.shape[-1])
        down = nn.AdaptiveAvgPool2d(v_map.shape[-2:])(fg)
        v_fea = (v_map * down).mean(-1).mean(-1)
        kl = F.kl_div(
            v_fea.softmax(-1).log(), a_fea.softmax(-1),
            reduction='none').sum(-1)
        avm = avm + (kl * gt_flag).sum() / gt_flag.sum()
    return ce, 0.5 * avm / 4


def randomise(model, seed):
    """Random weights everywhere and non-trivial BatchNorm statistics."""
    gen = torch.Generator().manual_seed(seed)
    for name, tensor in model.state_dict().items():
        if name.endswith('num_batches_tracked') or '_2.' in name:
            continue  # (the unused ResNet copy is dropped by the converter)
        values = torch.randn(tensor.shape, generator=gen)
        if name.endswith('running_var'):
            values = values.abs() + 0.5
        elif 'bn' in name or 'W_z.1' in name or 'downsample.1' in name:
            values = 1 + 0.2 * values if name.endswith('weight') else \
                0.2 * values
        else:
            fan_in = max(tensor[0].numel(), 1) if tensor.dim() > 1 else 1
            values = values / fan_in**0.5
        tensor.copy_(values)


# ---- the mmavs side ---------------------------------------------------------
def build_mmavs(backbone):
    register_all_modules()
    cfg = copy.deepcopy(Config.fromfile(CONFIGS[backbone]).model)
    cfg.backbone.pop('init_cfg', None)
    cfg.audio_backbone.pop('init_cfg', None)
    if backbone == 'pvt_v2_b5':
        cfg.backbone.arch = 'b1'  # b5's layout and channels, fewer blocks
    cfg.audio_backbone.update(
        conv_channels=(8, 'M', 8, 'M', 8, 'M', 8, 'M'), fc_channels=(128, ))
    return MODELS.build(cfg)


def make_batch(seed, size=32, v1_labelled=1, label_classes=NUM_CLASSES):
    """Two clips: a v2 clip (10 frames, all labelled) and a v1 clip (5
    frames, the first ``v1_labelled`` labelled: 1 for v1s training, 5 at
    test) padded to 10 as the official loader does."""
    gen = torch.Generator().manual_seed(seed)
    imgs = torch.randint(0, 256, (2, 10, 3, size, size), generator=gen,
                         dtype=torch.uint8)
    imgs[1, 5:] = 0
    log_mel = torch.randn(2, 10, 1, 96, 64, generator=gen)
    log_mel[1, 5:] = 0
    labels = torch.randint(0, label_classes, (2, 10, size, size),
                           generator=gen)
    samples = []
    for clip in range(2):
        for t in range(10):
            padded = clip == 1 and t >= 5
            labelled = clip == 0 or t < v1_labelled
            gt = labels[clip, t] if labelled else torch.full(
                (size, size), 255)
            sample = SegDataSample(
                gt_sem_seg=PixelData(data=gt[None].clone()),
                metainfo=dict(
                    img_shape=(size, size),
                    ori_shape=(size, size),
                    pad_shape=(size, size),
                    padding_size=[0, 0, 0, 0],
                    labelled=labelled,
                    padded=padded))
            samples.append(sample)
    data = dict(
        inputs=dict(imgs=list(imgs), audio=list(log_mel)),
        data_samples=samples)
    vid_flag = torch.tensor([1.] * 10 + [1.] * 5 + [0.] * 5)
    gt_flag = torch.tensor([1.] * (10 + v1_labelled) + [0.] *
                           (10 - v1_labelled))
    # the official loader: RGB, ImageNet-normalised, padded frames zero
    normed = (imgs.flatten(0, 1).flip(1).float() - MEAN) / STD
    normed = normed * vid_flag.view(-1, 1, 1, 1)
    official_labels = labels.flatten(0, 1) * gt_flag.view(-1, 1, 1).long()
    return data, normed, vid_flag, gt_flag, official_labels


def convert_into(official, model):
    state, info = avsbench_convert(official.state_dict())
    assert info['tpavi_stages'] == [0, 1, 2, 3]
    state.update({
        f'audio_backbone.{k}': v
        for k, v in model.audio_backbone.state_dict().items()
    })
    model.load_state_dict(state, strict=True)


def released_r50_layout():
    """Keys and shapes of the released AVSS ResNet-50 checkpoint, from those
    of the S4 one: no ``align_channel`` bias, 71 output classes."""
    shapes = {}
    with open(R50_TSV) as f:
        for line in f:
            key, shape = line.rstrip('\n').split('\t')
            if key.endswith('align_channel.bias'):
                continue
            shapes[key] = tuple(
                int(s) for s in shape.strip('()').split(',') if s.strip())
    shapes['output_conv.4.weight'] = (NUM_CLASSES, 32, 1, 1)
    shapes['output_conv.4.bias'] = (NUM_CLASSES, )
    return shapes


def test_reference_has_the_released_r50_layout():
    official = OfficialAVSS('r50')
    assert {k: tuple(v.shape)
            for k, v in official.state_dict().items()
            } == released_r50_layout()


@pytest.fixture(scope='module')
def converted():
    """``{backbone: (official, mmavs)}`` with the same weights, built once
    per backbone."""
    cache = {}

    def get(backbone):
        if backbone not in cache:
            torch.manual_seed(0)
            official = OfficialAVSS(backbone)
            randomise(official, seed=1)
            model = build_mmavs(backbone)
            convert_into(official, model)
            cache[backbone] = official, model
        return cache[backbone]

    return get


@pytest.mark.parametrize('backbone', ['r50', 'pvt_v2_b5'])
def test_equal_logits(backbone, converted):
    official, model = converted(backbone)
    official.eval()
    model.eval()
    data, normed, vid_flag, _, _ = make_batch(seed=2)
    with torch.no_grad():
        batch = model.data_preprocessor(data, training=False)
        assert torch.equal(batch['inputs']['imgs'].flatten(0, 1), normed)
        audio = model.audio_backbone(batch['inputs']['audio'].flatten(0, 1))
        expected, _, _ = official(normed, audio * vid_flag[:, None], vid_flag)
        logits = model.inference(
            batch['inputs'],
            [s.metainfo for s in batch['data_samples']])
    assert logits.shape == (20, NUM_CLASSES, 32, 32)
    assert expected.abs().amax((1, 2, 3))[:15].min() > 1e-2  # not trivial
    assert torch.equal(logits[15:], torch.zeros_like(logits[15:]))
    assert torch.allclose(logits, expected, atol=1e-4, rtol=1e-4), (
        (logits - expected).abs().max())
    # the prediction of a padded frame is background, as in the official test
    preds = model.predict(batch['inputs'], batch['data_samples'])
    assert all(p.pred_sem_seg.data.eq(0).all() for p in preds[15:])


def official_j_and_f(batches):
    """``_batch_miou_fscore`` of ``utils/compute_color_metrics.py`` and the
    end of ``test.py``: per-frame ``torch.histc`` class areas, IoU and F
    summed per class over frames where the class is present, then the mean
    over all classes (NaN -> 0)."""
    iou_sum, f_sum, count = (torch.zeros(NUM_CLASSES) for _ in range(3))
    for output, target in batches:
        predict = torch.argmax(torch.softmax(output, 1), 1) + 1
        target = target.float() + 1
        predict = predict.float() * (target > 0).float()
        inter = predict * (predict == target).float()
        for i in range(target.shape[0]):
            args = dict(bins=NUM_CLASSES, min=1, max=NUM_CLASSES)
            area_inter = torch.histc(inter[i], **args)
            area_pred = torch.histc(predict[i], **args)
            area_lab = torch.histc(target[i], **args)
            union = area_pred + area_lab - area_inter
            iou_sum += area_inter / (2.220446049250313e-16 + union)
            count[torch.nonzero(union).squeeze(-1)] += 1
            precision, recall = area_inter / area_pred, area_inter / area_lab
            f = 1.3 * precision * recall / (0.3 * precision + recall)
            f[torch.isnan(f)] = 0.
            f_sum += f
    j, f = iou_sum / count, f_sum / count
    j[torch.isnan(j)] = 0
    f[torch.isnan(f)] = 0
    return torch.mean(j).item(), torch.mean(f).item()


def test_official_test_metric_with_padded_frames(converted):
    """The official test loop (black padded frames scored as background)
    against ``predict`` + ``AVSSMetric(score_padded_frames=True)``."""
    official, model = converted('r50')
    official.eval()
    model.eval()
    metrics = [
        METRICS.build(dict(type='AVSSMetric', score_padded_frames=padded))
        for padded in (True, False)
    ]
    for metric in metrics:
        metric.dataset_meta = dict(
            classes=[str(i) for i in range(NUM_CLASSES)])
    batches = []
    for seed in (5, 6):
        data, normed, vid_flag, _, labels = make_batch(
            seed, v1_labelled=5, label_classes=3)
        with torch.no_grad():
            batch = model.data_preprocessor(data, training=False)
            audio = model.audio_backbone(
                batch['inputs']['audio'].flatten(0, 1))
            pred, _, _ = official(normed, audio * vid_flag[:, None], vid_flag)
            preds = model.predict(batch['inputs'], batch['data_samples'])
        batches.append((pred, labels))
        for i, p in enumerate(preds):
            p.set_metainfo(dict(clip_name=f'{seed}-{i // 10}', num_frames=10))
        for metric in metrics:
            metric.process({}, [p.to_dict() for p in preds])
    j, f = official_j_and_f(batches)
    res, unpadded = (m.compute_metrics(m.results) for m in metrics)
    # the padded frames (10 of 40, perfect background) weigh in
    assert res['J'] - unpadded['J'] > 1e-3 and j > 0
    assert res['J'] == pytest.approx(j, abs=1e-6)
    assert res['F'] == pytest.approx(f, abs=1e-6)


def test_equal_losses_in_train_mode(converted):
    """BatchNorm on batch statistics (padded frames included), masked CE and
    the foreground L_AVM-AV over the labelled frames. (Both models update
    their BatchNorm running statistics alike.)"""
    official, model = converted('r50')
    official.train()
    model.train()
    data, normed, vid_flag, gt_flag, labels = make_batch(seed=4)
    batch = model.data_preprocessor(data, training=True)
    with torch.no_grad():
        audio = model.audio_backbone(batch['inputs']['audio'].flatten(0, 1))
        pred, v_maps, a_feas = official(normed, audio * vid_flag[:, None],
                                        vid_flag)
        ce, avm = official_loss(pred, labels, a_feas, v_maps, gt_flag)
        losses = model.loss(batch['inputs'], batch['data_samples'])
    assert avm > 1e-3
    assert torch.allclose(losses['decode.loss_ce'], ce, rtol=1e-4)
    assert torch.allclose(losses['loss_avm_av'], avm, rtol=1e-4, atol=1e-6)


def test_released_pvt_v2_b5_layout_loads_strictly():
    """The real b5 (on the meta device: keys and shapes only)."""
    register_all_modules()
    cfg = copy.deepcopy(Config.fromfile(CONFIGS['pvt_v2_b5']).model)
    cfg.backbone.pop('init_cfg')
    cfg.audio_backbone.pop('init_cfg')
    with torch.device('meta'):
        model = MODELS.build(cfg)
        official = OfficialAVSS('pvt_v2_b5', pvt_arch='b5')
    assert model.backbone.depths == [3, 6, 40, 3]
    state, info = avsbench_convert(official.state_dict())
    assert info['backbone'] == 'pvt_v2_b5' and info['dropped_keys'] == []
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert unexpected == []
    assert sorted(missing) == sorted(
        f'audio_backbone.{k}' for k in model.audio_backbone.state_dict())


def test_tool_converts_released_r50_checkpoint(tmp_path):
    """``avsbench2mmavs.py`` on a file in the released AVSS layout (as the
    official ``torch.save(model.module.state_dict())``)."""
    official = OfficialAVSS('r50')
    src, dst = tmp_path / 'V2_resnet_miou_best.pth', tmp_path / 'out.pth'
    torch.save(official.state_dict(), src)
    tool = osp.join(ROOT, 'tools', 'model_converters', 'avsbench2mmavs.py')
    spec = importlib.util.spec_from_file_location('avsbench2mmavs', tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    argv, sys.argv = sys.argv, [tool, str(src), str(dst)]
    try:
        with pytest.warns(UserWarning, match='no --vggish'):
            module.main()
    finally:
        sys.argv = argv
    ckpt = load_local_checkpoint(str(dst))
    meta = ckpt['meta']
    assert meta['backbone'] == 'r50' and meta['num_classes'] == NUM_CLASSES
    assert meta['audio_proj_bias'] is False
    assert meta['tpavi_stages'] == [0, 1, 2, 3]
    assert all('_2.' in k for k in meta['dropped_keys'])
    cfg = copy.deepcopy(Config.fromfile(CONFIGS['r50']).model)
    cfg.backbone.pop('init_cfg')
    cfg.audio_backbone.pop('init_cfg')
    register_all_modules()
    with torch.device('meta'):
        model = MODELS.build(cfg)
    missing, unexpected = model.load_state_dict(ckpt['state_dict'],
                                                strict=False)
    assert unexpected == []
    assert sorted(missing) == sorted(
        f'audio_backbone.{k}' for k in model.audio_backbone.state_dict())
    for old, new in (('tpavi_b2.align_channel.weight',
                      'fusion.blocks.1.align_channel.weight'),
                     ('output_conv.4.bias', 'decode_head.conv_seg.bias')):
        assert torch.equal(ckpt['state_dict'][new], official.state_dict()[old])
