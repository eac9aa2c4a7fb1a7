# Copyright (c) mmavs contributors. All rights reserved.
import copy

import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.registry import MODELS
from mmavs.utils import register_all_modules
from mmavs.visualization import FusionAuxRecorder

register_all_modules()

TINY = dict(
    type='AudioVisualSegmentor',
    data_preprocessor=dict(
        type='AVSDataPreprocessor', mean=[0., 0., 0.], std=[1., 1., 1.]),
    backbone=dict(
        type='mmseg.ResNet',
        depth=18,
        base_channels=4,
        stem_channels=4,
        out_indices=(0, 1, 2, 3)),
    neck=dict(type='MultiLevelASPP', in_channels=[4, 8, 16, 32],
              out_channels=8),
    audio_backbone=dict(
        type='VGGish',
        conv_channels=(4, 'M', 4, 'M', 4, 'M', 4, 'M'),
        fc_channels=(16, ),
        frozen=False),
    fusion=dict(type='TPAVI', in_channels=8, audio_channels=16),
    decode_head=dict(
        type='AVSBenchHead',
        in_channels=[8] * 4,
        mid_channels=8,
        channels=4,
        dropout_ratio=0,
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        loss_decode=dict(
            type='mmseg.CrossEntropyLoss',
            use_sigmoid=True,
            avg_non_ignore=True)),
    test_cfg=dict(mode='whole'))


def make_batch(num_clips=2, num_frames=3, size=32, labelled=None):
    imgs = [torch.randint(0, 255, (num_frames, 3, size, size),
                          dtype=torch.uint8) for _ in range(num_clips)]
    audio = [torch.randn(num_frames, 1, 96, 64) for _ in range(num_clips)]
    samples = []
    for c in range(num_clips):
        for t in range(num_frames):
            sample = SegDataSample(
                metainfo=dict(
                    ori_shape=(size, size),
                    img_shape=(size, size),
                    clip_name=f'clip{c}',
                    frame_index=t))
            mask = torch.randint(0, 2, (1, size, size))
            if labelled is not None and not labelled[t]:
                mask[:] = 255
            sample.gt_sem_seg = PixelData(data=mask)
            samples.append(sample)
    return dict(inputs=dict(imgs=imgs, audio=audio), data_samples=samples)


def build(cfg=TINY):
    torch.manual_seed(0)
    return MODELS.build(copy.deepcopy(cfg))


def test_three_modes():
    model = build()
    data = model.data_preprocessor(make_batch(), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'decode.loss_ce', 'decode.acc_seg'}
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(make_batch())
        preds = model(**data, mode='predict')
        logits = model(**data, mode='tensor')
    assert len(preds) == 6
    assert preds[0].pred_sem_seg.shape == (32, 32)
    assert set(preds[0].pred_sem_seg.data.unique().tolist()) <= {0, 1}
    # binary head: seg_logits holds sigmoid probabilities, as in mmseg
    probs = preds[4].seg_logits.data
    assert torch.allclose(probs, logits[4].sigmoid(), atol=1e-6)
    assert logits.shape == (6, 1, 32, 32)


def test_predict_without_data_samples_and_single_frame():
    model = build().eval()
    data = model.data_preprocessor(make_batch(num_clips=3, num_frames=1))
    with torch.no_grad():
        preds = model.predict(data['inputs'])
    assert len(preds) == 3 and preds[0].pred_sem_seg.shape == (32, 32)


def test_unlabelled_frames_add_nothing():
    """S4 training: only frame 1 of a clip has a mask."""
    model = build()
    batch = make_batch(num_clips=1, labelled=[True, False, False])
    data = model.data_preprocessor(batch, training=True)
    loss = model(**data, mode='loss')['decode.loss_ce']
    logits = model(**data, mode='tensor')
    label = data['data_samples'][0].gt_sem_seg.data.float()
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        logits[0], label)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_audio_is_used():
    model = build().eval()
    data = model.data_preprocessor(make_batch())
    with torch.no_grad():
        # make the attention path non-trivial
        for block in model.fusion.blocks:
            torch.nn.init.normal_(block.W_z[1].weight)
        a = model(**data, mode='tensor')
        data['inputs']['audio'] = torch.randn_like(data['inputs']['audio'])
        b = model(**data, mode='tensor')
    assert not torch.allclose(a, b)


def test_learns_to_listen(learning_seed):
    """The audio alone says whether the left or the right half is the mask
    (the images are noise): after training, the loss has fallen and, on new
    images in eval mode, each sound gives its own half.

    Robust by construction (checked for seeds 0-9 with
    ``MMAVS_LEARNING_SEEDS``): the two sounds differ in their spectrum (low
    vs high mel bands, as two real sources would), not only as two draws
    of noise; every batch holds new images and both sounds twice, so the
    BatchNorm statistics of training are those of eval; the head has 16
    channels before its output conv, where 4 could all die (ReLU) early in
    training and leave a constant prediction."""
    cfg = copy.deepcopy(TINY)
    cfg['decode_head'].update(channels=16)
    torch.manual_seed(learning_seed)
    model = MODELS.build(cfg)
    size = 32
    left = torch.zeros(1, size, size, dtype=torch.long)
    left[..., :size // 2] = 1
    masks = (left, 1 - left)
    sounds = 0.1 * torch.randn(2, 1, 96, 64)
    sounds[0, ..., :32] += 1
    sounds[1, ..., 32:] += 1

    def batch(order, imgs):
        samples = []
        for k in order:
            s = SegDataSample(
                metainfo=dict(ori_shape=(size, size), img_shape=(size, size)))
            s.gt_sem_seg = PixelData(data=masks[k])
            samples.append(s)
        return dict(
            inputs=dict(
                imgs=list(imgs), audio=[sounds[k:k + 1] for k in order]),
            data_samples=samples)

    def noise_images(n):
        return torch.randint(0, 255, (n, 1, 3, size, size), dtype=torch.uint8)

    order = torch.tensor([0, 0, 1, 1])
    optim = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(120):
        shuffled = order[torch.randperm(4)].tolist()
        data = model.data_preprocessor(
            batch(shuffled, noise_images(4)), training=True)
        loss = model(**data, mode='loss')['decode.loss_ce']
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    assert sum(losses[-5:]) < 0.1 * sum(losses[:5])
    with torch.no_grad():  # settle the BN running statistics
        for _ in range(20):
            model(**model.data_preprocessor(
                batch(order.tolist(), noise_images(4)), training=True),
                  mode='tensor')
    model.eval()
    imgs = noise_images(4)
    with torch.no_grad():
        for k in (0, 1):  # the same images with either sound
            preds = model(**model.data_preprocessor(batch([k] * 4, imgs)),
                          mode='predict')
            for pred in preds:
                acc = (pred.pred_sem_seg.data == masks[k]).float().mean()
                assert acc > 0.9, (k, acc)


def test_bad_configs():
    cfg = copy.deepcopy(TINY)
    cfg['audio_backbone'] = None
    with pytest.raises(ValueError, match='needs an audio_backbone'):
        MODELS.build(cfg)
    cfg = copy.deepcopy(TINY)
    cfg['test_cfg'] = dict(mode='slide', crop_size=(8, 8), stride=(4, 4))
    with pytest.raises(ValueError, match="'whole' only"):
        MODELS.build(cfg)


def test_predictions_feed_avs_metric():
    """predict -> AVSMetric gives the official J of sigmoid(logits)."""
    from mmavs.evaluation import AVSMetric
    from mmavs.evaluation.functional import mask_jaccard
    model = build().eval()
    with torch.no_grad():
        for block in model.fusion.blocks:
            torch.nn.init.normal_(block.W_z[1].weight)
        data = model.data_preprocessor(make_batch(num_clips=2, num_frames=2))
        logits = model(**data, mode='tensor')
        preds = model(**data, mode='predict')
    for i, p in enumerate(preds):
        p.set_metainfo(dict(num_frames=2, img_path=f'f{i}.png'))
    metric = AVSMetric()
    metric.process({}, [p.to_dict() for p in preds])
    result = metric.compute_metrics(metric.results)
    gt = torch.stack([p.gt_sem_seg.data[0] for p in preds])
    expected = mask_jaccard(logits[:, 0].sigmoid(), gt).double().mean()
    assert result['mJ'] == pytest.approx(expected.item(), abs=1e-6)


@MODELS.register_module(force=True)
class RecordingAVLoss(torch.nn.Module):
    """Test double: returns the mean fused feature and keeps what it saw."""

    def __init__(self, name='loss_rec'):
        super().__init__()
        self.name = name
        self.seen = None

    @property
    def loss_name(self):
        return self.name

    def forward(self, ctx):
        self.seen = ctx
        return ctx['fused'][0].mean()


def test_av_loss_sees_features_and_adds_its_term():
    cfg = dict(TINY, av_loss=[dict(type='RecordingAVLoss'),
                              dict(type='RecordingAVLoss', name='loss_b')])
    model = build(cfg)
    data = model.data_preprocessor(make_batch(), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {
        'decode.loss_ce', 'decode.acc_seg', 'loss_rec', 'loss_b'}
    ctx = model.av_losses[0].seen
    assert ctx['num_frames'] == 3 and ctx['audio'].shape == (6, 16)
    assert ctx['seg_logits'].shape[:2] == (6, 1)
    assert ctx['fusion'] is model.fusion
    assert ctx['data_samples'] is data['data_samples']
    assert [v.shape for v in ctx['visual']] == [f.shape for f in ctx['fused']]
    assert set(ctx['aux']['audio_proj']) == {0, 1, 2, 3}
    assert ctx['aux']['audio_proj'][2].shape == (6, 8)
    # the decode loss is the one the plain path computes
    plain = build()
    assert losses['decode.loss_ce'].item() == pytest.approx(
        plain(**data, mode='loss')['decode.loss_ce'].item(), rel=1e-6)
    # fused = what extract_feat returns; the extra term reaches the weights
    assert torch.allclose(ctx['fused'][0], model.extract_feat(
        data['inputs'])[0])
    losses['loss_rec'].backward()
    assert model.fusion.blocks[0].theta.weight.grad is not None


def test_av_loss_needs_fusion_and_unique_names():
    with pytest.raises(ValueError, match='needs a fusion'):
        build(dict(TINY, fusion=None, av_loss=dict(type='RecordingAVLoss')))
    with pytest.raises(ValueError, match='names repeat'):
        build(dict(TINY, av_loss=[dict(type='RecordingAVLoss')] * 2))


def test_fusion_aux_recorded_during_predict():
    """The attention maps of every fused stage come out of the same
    forward pass as the predictions."""
    model = build().eval()
    data = model.data_preprocessor(make_batch())
    with torch.no_grad(), FusionAuxRecorder(model) as recorder:
        feats = model.extract_feat(data['inputs'])
        aux = recorder.aux
    assert [a.shape[0] for a in aux['attn'].values()] == [6] * 4
    assert aux['attn'][3].shape[1:] == feats[3].shape[2:]


def test_predict_under_bfloat16_autocast_gives_float32():
    model = build().eval()
    data = model.data_preprocessor(make_batch(num_clips=1))
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        assert model(**data, mode='tensor').dtype == torch.bfloat16
        preds = model(**data, mode='predict')
    assert preds[0].seg_logits.data.dtype == torch.float32
