# cavp-enc: the encoder-fusion reading of the CAVP paper text (f_CA on a
# backbone stage, mmseg DepthwiseSeparableASPPHead), NOT the released CAVP
# network (configs/cavp/cavp_r50-d16_*); see configs/cavp/README.md.
# CAVP (CVPR 2024): DeepLabV3+ on a dilated ResNet-50 (output stride 8), the
# f_CA cross-attention fusing the frame's audio into the last stage (the
# ASPP input) and the CAVP contrastive loss next to the cross-entropy
# (Eq. 5). Audio: the ResNet-18 log-mel encoder of the CAVP code (B.1 names
# VGGish for AVSBench; the released AVSS code trains this ResNet-18).
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
        type='mmseg.ResNetV1c',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
        init_cfg=dict(
            type='Pretrained', checkpoint='open-mmlab://resnet50_v1c')),
    audio_backbone=dict(
        type='ResNetAudio',
        depth=18,
        in_channels=1,
        out_channels=512,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    fusion=dict(
        type='AVCrossAttention',
        in_channels=[256, 512, 1024, 2048],
        stages=(3, ),
        audio_channels=512,
        embed_dims=256,
        num_heads=4,
        activation='sigmoid'),
    av_loss=dict(
        type='CAVPLoss',
        stage=3,
        temperature=0.1,
        num_samples=1024,
        pos_fraction=0.5,
        # B.1: per-class bank of audio clips re-pairing half of the
        # mismatched pairs with audio of the image's class from epoch 1
        memory_bank=dict(size=16, replace_fraction=0.5, start_epoch=1),
        loss_weight=1.0),
    decode_head=dict(
        type='mmseg.DepthwiseSeparableASPPHead',
        in_channels=2048,
        in_index=3,
        channels=256,
        dilations=(1, 12, 24, 36),
        c1_in_channels=256,
        c1_channels=48,
        dropout_ratio=0.1,
        num_classes=71,  # AVSBench-Semantics, background included
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='mmseg.CrossEntropyLoss',
            use_sigmoid=False,
            avg_non_ignore=True,
            loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
