# mmseg's own SegFormer MiT-b0 made audio-visual, nothing copied: the stock
# model (backbone, SegformerHead), plus an audio backbone, a fusion neck and
# the AVSBench MS3 data. Recipe: docs/mix_into_mmseg.md.
_base_ = [
    'mmseg::_base_/models/segformer_mit-b0.py',
    '../_base_/datasets/avsbench_ms3.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_adam_30e.py'
]
model = dict(
    # EncoderDecoder -> its audio-visual subclass (same arguments), built in
    # the mmavs scope: mmengine marked the mmseg model `_scope_='mmseg'`,
    # and stock types still resolve (mmavs registries are mmseg's children)
    _scope_='mmavs',
    type='AudioVisualSegmentor',
    # clips (B, T, 3, H, W) plus audio; frames are not padded, so the
    # stock pad_val/seg_pad_val go
    data_preprocessor=dict(
        _delete_=True,
        type='AVSDataPreprocessor',
        mean={{_base_.data_preprocessor.mean}},
        std={{_base_.data_preprocessor.std}},
        bgr_to_rgb={{_base_.data_preprocessor.bgr_to_rgb}}),
    # the ImageNet weights mmseg's segformer_mit-b0 configs start from
    backbone=dict(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmsegmentation/v0.5/'
            'pretrain/segformer/mit_b0_20220624-7e0fe6dd.pth')),
    audio_backbone=dict(
        type='VGGish',
        frozen=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/harritaylor/torchvggish/'
            'releases/download/v0.1/vggish-10086976.pth')),
    # TPAVI on the four MiT levels, whose channels the stock head reads
    fusion=dict(
        type='TPAVI',
        in_channels={{_base_.model.decode_head.in_channels}},
        stages=(0, 1, 2, 3),
        audio_channels=128),
    # binary sounding-object masks: one sigmoid channel
    decode_head=dict(
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        loss_decode=dict(use_sigmoid=True, avg_non_ignore=True)))
