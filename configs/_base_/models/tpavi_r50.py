# AVSBench baseline: ResNet-50 + per-stage ASPP + TPAVI + AVSBench decoder,
# frozen AudioSet VGGish audio encoder.
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    type='AVSDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True)
model = dict(
    type='AudioVisualSegmentor',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='mmseg.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        style='pytorch',
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.pytorch.org/models/'
            'resnet50-19c8e357.pth')),
    neck=dict(
        type='MultiLevelASPP',
        in_channels=[256, 512, 1024, 2048],
        out_channels=256,
        dilations=(3, 6, 12, 18)),
    audio_backbone=dict(
        type='VGGish',
        frozen=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/harritaylor/torchvggish/'
            'releases/download/v0.1/vggish-10086976.pth')),
    fusion=dict(
        type='TPAVI',
        in_channels=256,
        stages=(0, 1, 2, 3),
        audio_channels=128,
        audio_attention=True,
        video_attention=False),
    decode_head=dict(
        type='AVSBenchHead',
        in_channels=[256, 256, 256, 256],
        mid_channels=128,
        channels=32,
        dropout_ratio=0,
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        align_corners=False,
        loss_decode=dict(
            type='mmseg.CrossEntropyLoss',
            use_sigmoid=True,
            avg_non_ignore=True,
            loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
