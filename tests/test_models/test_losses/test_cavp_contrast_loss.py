# Copyright (c) mmavs contributors. All rights reserved.
"""CAVPContrastLoss against a re-implementation of the official
``ContrastLoss`` (loss/contrastive_aud.py of cyh-0/CAVP), written here
from that code, and the trainers' re-paired labels."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmavs.models.losses import CAVPContrastLoss


def official_contrast(embeds_match, gt_match, embeds_shuffle, gt_shuffle,
                      temperature=0.1, max_views=512, ignore=255):
    embeds_match = F.normalize(embeds_match, p=2, dim=1)
    embeds_shuffle = F.normalize(embeds_shuffle, p=2, dim=1)
    em = embeds_match.flatten(start_dim=2).permute(0, 2, 1)
    gm = gt_match.flatten(start_dim=1)
    es = embeds_shuffle.flatten(start_dim=2).permute(0, 2, 1)
    gs = gt_shuffle.flatten(start_dim=1)
    fg = (gm > 0) & (gm != ignore)
    efg, gfg = em[fg], gm[fg]
    samples, labels = [], []
    for item in torch.unique(gfg):
        idx = gfg == item
        if torch.sum(idx) < max_views:
            continue
        cur_l, cur_s = gfg[idx], efg[idx]
        rand_idx = torch.randperm(cur_l.shape[0])
        labels.append(cur_l[rand_idx][:max_views])
        samples.append(cur_s[rand_idx][:max_views])
    if not samples:
        return torch.tensor([.0])
    samples, labels = torch.cat(samples), torch.cat(labels)
    ebg, gbg = em[gm == 0], gm[gm == 0]
    esh, gsh = es[fg], gs[fg]
    num = int(min(max_views, esh.shape[0], ebg.shape[0]))
    idx1 = torch.randperm(ebg.shape[0])
    idx2 = torch.randperm(esh.shape[0])
    anchors = torch.cat([samples, ebg[idx1][:num], esh[idx2][:num]])
    a_labels = torch.cat([labels, gbg[idx1][:num], gsh[idx2][:num]])[:, None]
    mask = torch.eq(a_labels, a_labels.T).float()
    adc = anchors @ anchors.T / temperature
    logits = adc - torch.max(adc, dim=1, keepdim=True)[0].detach()
    neg_mask = 1 - mask
    mask = mask.fill_diagonal_(0.)
    neg_logits = (torch.exp(logits) * neg_mask).sum(1, keepdim=True)
    log_prob = logits - torch.log(torch.exp(logits) + neg_logits)
    mean_log_prob_pos = (mask * log_prob).sum(1) / (mask.sum(1) + 1e-12)
    return -mean_log_prob_pos.mean()


@pytest.mark.parametrize('seed', [0, 1])
def test_contrast_matches_the_official_loss(seed):
    torch.manual_seed(seed)
    n, h, w = 3, 12, 12
    feats, shuffled = torch.randn(2, n, 8, h, w).unbind(0)
    labels = torch.randint(0, 4, (n, h * w))
    labels[0, :5] = 255
    shuffled_labels = labels * torch.tensor([1, 0, 1])[:, None]
    loss = CAVPContrastLoss(max_views=20)
    torch.manual_seed(seed + 10)
    ours = loss.contrast(feats, labels, shuffled, shuffled_labels)
    torch.manual_seed(seed + 10)
    theirs = official_contrast(feats, labels.view(n, h, w), shuffled,
                               shuffled_labels.view(n, h, w), max_views=20)
    assert ours.item() > 0
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-5)
    # a class with fewer than max_views pixels adds no view; none: 0
    few = CAVPContrastLoss(max_views=10**4)
    assert few.contrast(feats, labels, shuffled, shuffled_labels).item() == 0


def test_repaired_labels_and_gradients():
    """Re-paired frames whose audio is not their own are all background in
    the re-paired set; the loss reaches the fusion through the re-pairing.
    """
    n, c, size = 4, 6, 8
    fuse = torch.nn.Linear(5, c)

    def fusion(levels, audio, num_frames):
        return [levels[0] + fuse(audio)[:, :, None, None]]

    samples = []
    for k in range(n):
        s = SegDataSample(metainfo=dict(audio_labels=[k % 2 + 1]))
        gt = torch.zeros(1, size, size, dtype=torch.long)
        gt[:, 2:6, 2:6] = k % 2 + 1
        s.gt_sem_seg = PixelData(data=gt)
        samples.append(s)
    visual = [torch.randn(n, c, size, size)]
    audio = torch.randn(n, 5)
    ctx = dict(visual=visual, audio=audio, fused=fusion(visual, audio, 1),
               fusion=fusion, num_frames=1, data_samples=samples)
    loss = CAVPContrastLoss(max_views=8)
    seen = {}

    def record(feats, labels, shuffled, shuffled_labels):
        seen.update(labels=labels, shuffled_labels=shuffled_labels)
        return CAVPContrastLoss.contrast(loss, feats, labels, shuffled,
                                         shuffled_labels)

    loss.contrast = record
    torch.manual_seed(0)
    perm = torch.randperm(n)
    torch.manual_seed(0)
    value = loss(ctx)
    own = torch.tensor([(p - i) % 2 == 0 for i, p in enumerate(perm)])
    expected = seen['labels'] * own[:, None]
    assert torch.equal(seen['shuffled_labels'], expected)
    value.backward()
    assert fuse.weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='max_views'):
        CAVPContrastLoss(max_views=0)
