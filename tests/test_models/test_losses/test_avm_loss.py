# Copyright (c) mmavs contributors. All rights reserved.
"""AVMLoss against a step-by-step re-implementation of the official
``A_MaskedV_SimmLoss`` / ``closer_loss`` (AVSBench ``avs_ms3/loss.py``)
written here with loops and scalar math."""
import math

import pytest
import torch
import torch.nn as nn
from mmseg.structures import SegDataSample

from mmavs.models.losses import AVMLoss


def pool_naive(x, size, op):
    """Adaptive pooling of a (h, w) map: window i spans
    [floor(i h / H), ceil((i + 1) h / H))."""
    (h, w), (oh, ow) = x.shape, size
    out = torch.empty(oh, ow, dtype=x.dtype)
    for i in range(oh):
        h0, h1 = i * h // oh, -(-(i + 1) * h // oh)
        for j in range(ow):
            w0, w1 = j * w // ow, -(-(j + 1) * w // ow)
            vals = [float(x[a, b]) for a in range(h0, h1)
                    for b in range(w0, w1)]
            out[i, j] = sum(vals) / len(vals) if op == 'avg' else max(vals)
    return out


def masked_feature_naive(logit, fmap, pooling, threshold):
    """One frame: logit (h, w), fmap (C, H, W) -> list of C floats."""
    c, hh, ww = fmap.shape
    pooled = pool_naive(logit, (hh, ww), pooling)
    mask = [[1 / (1 + math.exp(-float(pooled[i, j]))) for j in range(ww)]
            for i in range(hh)]
    if threshold:
        mask = [[float(m > 0.5) for m in row] for row in mask]
        count = sum(map(sum, mask)) + 1e-6
    else:
        count = hh * ww
    return [sum(float(fmap[k, i, j]) * mask[i][j] for i in range(hh)
                for j in range(ww)) / count for k in range(c)]


def l2_normalise(vec):
    norm = max(math.sqrt(sum(v * v for v in vec)), 1e-12)
    return [v / norm for v in vec]


def softmax(vec):
    exps = [math.exp(v - max(vec)) for v in vec]
    return [e / sum(exps) for e in exps]


def kl_sum(preds, targets):
    """sum_n sum_c p log(p / q), p = softmax(target), q = softmax(pred)."""
    total = 0.
    for pred, target in zip(preds, targets):
        q, p = softmax(pred), softmax(target)
        total += sum(pk * math.log(pk / qk) for pk, qk in zip(p, q))
    return total


def euclidean_mean(preds, targets):
    """F.pairwise_distance(target, pred) (eps 1e-6 added), averaged."""
    dists = [math.sqrt(sum((t - p + 1e-6)**2 for p, t in zip(pred, target)))
             for pred, target in zip(preds, targets)]
    return sum(dists) / len(dists)


def official_loss(logits, maps, audios, stages, mode='av', pooling='avg',
                  threshold=False, norm=False, distance='kl'):
    """The official loss (without lambda), one frame at a time."""
    total = 0.
    for s in stages:
        n = maps[s].shape[0]
        vis = [masked_feature_naive(logits[i, 0], maps[s][i], pooling,
                                    threshold) for i in range(n)]
        aud = [[float(v) for v in audios[s][i]] for i in range(n)]
        if norm:
            vis = [l2_normalise(v) for v in vis]
            aud = [l2_normalise(a) for a in aud]
        if mode == 'av':
            targets = aud
        else:
            targets = []
            for i in range(n):
                dist = [math.dist(aud[i], aud[j]) + 10. * (i == j)
                        for j in range(n)]
                targets.append(vis[dist.index(min(dist))])
        div = kl_sum if distance == 'kl' else euclidean_mean
        total += div(vis, targets)
    return total / len(stages)


def make_inputs(seed=0, n=4, c=5, sizes=(6, 3, 2, 1), logit_size=9):
    torch.manual_seed(seed)
    logits = torch.randn(n, 1, logit_size, logit_size, dtype=torch.double)
    maps = [torch.randn(n, c, s, s, dtype=torch.double) for s in sizes]
    audios = {s: torch.randn(n, c, dtype=torch.double)
              for s in range(len(sizes))}
    return logits, maps, audios


def ctx_of(logits, maps, audios):
    return dict(seg_logits=logits, fused=tuple(maps),
                aux=dict(audio_proj=audios))


@pytest.mark.parametrize('kwargs', [
    dict(mode='av'),
    dict(mode='av', stages=(1, 3), norm=True),
    dict(mode='av', pooling='max'),
    dict(mode='av', threshold=True),
    dict(mode='av', distance='euclidean', norm=True),
    dict(mode='vv'),
    dict(mode='vv', norm=True, pooling='max'),
    dict(mode='vv', distance='euclidean', stages=(0, )),
])
def test_matches_official_formula(kwargs):
    """9x9 logits pooled to 6x6, 3x3, 2x2 and 1x1: adaptive windows that
    overlap or differ in size, so plain avg_pool2d or interpolate would
    give other values. visual_relu=False: the maps as given."""
    logits, maps, audios = make_inputs()
    stages = kwargs.pop('stages', (0, 1, 2, 3))
    expected = official_loss(logits, maps, audios, stages, **kwargs)
    loss = AVMLoss(
        mode=kwargs['mode'],
        stages=stages,
        loss_weight=0.5,
        mask_pooling=kwargs.get('pooling', 'avg'),
        threshold=kwargs.get('threshold', False),
        norm_feats=kwargs.get('norm', False),
        distance=kwargs.get('distance', 'kl'),
        visual_relu=False)
    value = loss(ctx_of(logits, maps, audios))
    assert value.item() == pytest.approx(0.5 * expected, rel=1e-9)
    assert value.item() > 0


class OfficialRCU(nn.Module):
    """The official ResidualConvUnit, in-place ReLU included."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        out = self.relu(x)
        out = self.relu(self.conv1(out))
        return self.conv2(out) + x


class OfficialFusionBlock(nn.Module):

    def __init__(self, c):
        super().__init__()
        self.resConfUnit1 = OfficialRCU(c)
        self.resConfUnit2 = OfficialRCU(c)

    def forward(self, *xs):
        output = xs[0]
        if len(xs) == 2:
            output += self.resConfUnit1(xs[1])
        output = self.resConfUnit2(output)
        return nn.functional.interpolate(
            output, scale_factor=2, mode='bilinear', align_corners=True)


def test_visual_relu_reproduces_official_in_place_side_effect():
    """The official forward runs path4..path1 on feature_map_list, which
    rewrites every map to relu(map) in place before the loss reads it."""
    logits, maps, audios = make_inputs(sizes=(8, 4, 2, 1), logit_size=32)
    maps = [m.float() for m in maps]
    logits = logits.float()
    audios = {s: a.float() for s, a in audios.items()}
    feature_map_list = [m.clone() for m in maps]
    torch.manual_seed(1)
    paths = [OfficialFusionBlock(5) for _ in range(4)]
    with torch.no_grad():
        out = paths[3](feature_map_list[3])
        for i in (2, 1, 0):
            out = paths[i](out, feature_map_list[i])
    assert not torch.equal(feature_map_list[0], maps[0])
    stages = (0, 1, 2, 3)
    expected = official_loss(logits, feature_map_list, audios, stages)
    ours = AVMLoss(stages=stages, loss_weight=1.)(
        ctx_of(logits, maps, audios))
    assert ours.item() == pytest.approx(expected, rel=1e-5)
    no_relu = AVMLoss(stages=stages, loss_weight=1., visual_relu=False)(
        ctx_of(logits, maps, audios))
    assert abs(no_relu.item() - expected) > 1e-3 * expected


def test_vv_partner_is_nearest_other_audio_of_the_batch():
    """Frames 0 and 3 (different clips) share audio, frames 1 and 2 too:
    each frame's target is its partner's masked feature, so swapping the
    partners' maps changes nothing while other swaps do."""
    logits, maps, _ = make_inputs(n=4, sizes=(2, ))
    base = torch.randn(2, 5, dtype=torch.double)
    audio = torch.stack([base[0], base[1], base[1] + 1e-3, base[0] + 1e-3])
    loss = AVMLoss(mode='vv', stages=(0, ), norm_feats=True,
                   visual_relu=False)
    value = loss(ctx_of(logits, maps, {0: audio}))
    expected = official_loss(logits, maps, {0: audio}, (0, ), mode='vv',
                             norm=True)
    assert value.item() == pytest.approx(0.5 * expected, rel=1e-9)
    # identical masked features within each pair: zero loss
    same = maps[0].clone()
    same[3], same[2] = same[0], same[1]
    logits_same = logits.clone()
    logits_same[3], logits_same[2] = logits[0], logits[1]
    assert loss(ctx_of(logits_same, [same], {0: audio})).item() == \
        pytest.approx(0, abs=1e-12)


def test_vv_self_penalty_is_the_official_constant():
    """Unnormalised audio farther apart than 10: the official +10 on the
    diagonal then picks the frame itself, so the loss is 0."""
    logits, maps, _ = make_inputs(n=3, sizes=(2, ))
    audio = torch.eye(3, 5, dtype=torch.double) * 100
    loss = AVMLoss(mode='vv', stages=(0, ))
    assert loss(ctx_of(logits, maps, {0: audio})).item() == \
        pytest.approx(0, abs=1e-12)
    assert loss(ctx_of(logits, maps, {0: audio / 100})).item() > 0


def test_gradients_reach_prediction_features_and_audio():
    logits, maps, audios = make_inputs(sizes=(2, ))
    for t in (logits, maps[0], audios[0]):
        t.requires_grad_(True)
    AVMLoss(stages=(0, ))(ctx_of(logits, maps, audios)).backward()
    assert all(t.grad.abs().sum() > 0 for t in (logits, maps[0], audios[0]))


def test_bad_arguments_and_inputs():
    with pytest.raises(ValueError, match='mode'):
        AVMLoss(mode='va')
    with pytest.raises(ValueError, match='mask_pooling'):
        AVMLoss(mask_pooling='bilinear')
    with pytest.raises(ValueError, match='distance'):
        AVMLoss(distance='cos')
    with pytest.raises(ValueError, match='unique'):
        AVMLoss(stages=(1, 1))
    with pytest.raises(ValueError, match='unique'):
        AVMLoss(stages=())
    with pytest.raises(ValueError, match='threshold'):
        AVMLoss(mode='vv', threshold=True)
    with pytest.raises(ValueError, match='loss_'):
        AVMLoss(loss_name='avm')
    assert AVMLoss(mode='vv').loss_name == 'loss_avm_vv'
    assert AVMLoss(loss_name='loss_x').loss_name == 'loss_x'
    logits, maps, audios = make_inputs()
    with pytest.raises(ValueError, match='no audio projection at stage 2'):
        AVMLoss()(ctx_of(logits, maps, {0: audios[0], 1: audios[1]}))
    with pytest.raises(ValueError, match='no audio projection at stage 0'):
        AVMLoss()(dict(seg_logits=logits, fused=tuple(maps), aux={}))
    with pytest.raises(ValueError, match='out of range'):
        AVMLoss(stages=(4, ))(ctx_of(logits, maps, audios))
    with pytest.raises(ValueError, match='binary logits'):
        AVMLoss()(ctx_of(logits.repeat(1, 2, 1, 1), maps, audios))
    audios[1] = audios[1][:, :3]
    with pytest.raises(ValueError, match='do not match'):
        AVMLoss(stages=(1, ))(ctx_of(logits, maps, audios))


def official_avss_loss(logits, maps, audios, stages, labelled):
    """``A_MaskedV_SimmLoss`` of ``avs_scripts/avss/loss.py`` (KL): the
    pooled hard foreground ``argmax != 0`` masks the (ReLU'd) map; per-frame
    KL sums over the labelled frames / their number; stage mean x 0.5."""
    total = 0.
    for s in stages:
        fmap_all = maps[s]
        c, hh, ww = fmap_all.shape[1:]
        per_frame = []
        for n in range(len(logits)):
            fg = (logits[n].argmax(0) != 0).double()
            pooled = pool_naive(fg, (hh, ww), 'avg')
            visual = [
                sum(max(float(fmap_all[n, k, i, j]), 0.) * float(pooled[i, j])
                    for i in range(hh) for j in range(ww)) / (hh * ww)
                for k in range(c)
            ]
            per_frame.append(kl_sum([visual], [audios[s][n].tolist()]))
        total += sum(v for v, lab in zip(per_frame, labelled) if lab) / sum(
            labelled)
    return 0.5 * total / len(stages)


def test_semantic_variant_matches_official_avss_formula():
    torch.manual_seed(0)
    logits = torch.randn(4, 5, 9, 9, dtype=torch.double)
    logits[1, 0] += 3  # a frame predicted (mostly) background
    _, maps, audios = make_inputs(sizes=(6, 3, 2, 1))
    labelled = [True, True, False, True]
    ctx = ctx_of(logits, maps, audios)
    ctx['data_samples'] = [
        SegDataSample(metainfo=dict(labelled=lab)) for lab in labelled
    ]
    loss = AVMLoss(mask_source='foreground', reduction='labelled_mean')
    expected = official_avss_loss(logits, maps, audios, (0, 1, 2, 3),
                                  labelled)
    assert loss(ctx).item() == pytest.approx(expected, rel=1e-9)
    # the unlabelled frame adds nothing; the binary default refuses K > 1
    maps2 = [m.clone() for m in maps]
    for m in maps2:
        m[2] = torch.randn_like(m[2])
    ctx2 = dict(ctx, fused=tuple(maps2))
    assert loss(ctx2).item() == pytest.approx(loss(ctx).item(), rel=1e-12)
    with pytest.raises(ValueError, match='binary logits'):
        AVMLoss()(ctx)
    with pytest.raises(ValueError, match='multi-class logits'):
        AVMLoss(mask_source='foreground')(ctx_of(logits[:, :1], maps, audios))
    with pytest.raises(ValueError, match='mask_source'):
        AVMLoss(mask_source='soft')
    with pytest.raises(ValueError, match='reduction'):
        AVMLoss(reduction='mean')
