# mmseg's own SegFormer MiT-b0 backbone under AVSegFormer's query-based
# head: the audio query generator, deformable encoder / query decoder and
# cross-modal mixer read the four stock MiT levels. Nothing copied: the stock
# model, its decode head replaced by AVSegFormerHead (defaults = the
# release's sizes), a frozen VGGish, the AVSegFormer MS3 data and schedule.
# Recipe: docs/mix_into_mmseg.md.
_base_ = [
    'mmseg::_base_/models/segformer_mit-b0.py',
    '../_base_/datasets/avsbench_ms3_avsegformer-224x224.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_adamw_30e.py'
]
model = dict(
    _scope_='mmavs',
    type='AudioVisualSegmentor',
    data_preprocessor=dict(
        _delete_=True,
        type='AVSDataPreprocessor',
        mean={{_base_.data_preprocessor.mean}},
        std={{_base_.data_preprocessor.std}},
        bgr_to_rgb={{_base_.data_preprocessor.bgr_to_rgb}}),
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
    # the stock SegformerHead goes; the audio enters inside this head
    decode_head=dict(
        _delete_=True,
        type='AVSegFormerHead',
        in_channels={{_base_.model.decode_head.in_channels}},
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        loss_decode=dict(type='FrameDiceLoss', loss_name='loss_dice')))
custom_hooks = [
    dict(type='RandomStateHook'),
    dict(type='FreezeBackboneHook', freeze_epochs=10)
]
