# CAVP as released (cyh-0/CAVP, models/cavp_model.py): the network of the
# three released checkpoints. Deep-stem ResNet-50 (stem 64-64-128) whose
# layer4 has stride 1 and dilations 2, 4, 8 (output stride 16); the
# official DeepLabV3+ (ASPP 6/12/18 + image pooling on layer4, 48-channel
# reduction of layer1, 304 channels at stride 4); the audio fused THERE
# (visual projector 304-256-304, one sigmoid cross-attention block, 4
# heads), then the classifier (two 3x3 conv-BN-ReLU of 256, 1x1 conv).
# Audio: the VGGish-shaped encoder of models/audio/backbones/vgg.py with a
# 304-d last layer (ReLU after it) on a 1 s log-mel (96 x 64).
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    type='AVSDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True)
latent = 304  # channels of the fusion point (256 ASPP + 48 layer1)
model = dict(
    type='AudioVisualSegmentor',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='mmseg.ResNetV1c',
        depth=50,
        stem_channels=128,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        multi_grid=(2, 4, 8),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        # the official ImageNet weights (ckpts/pretrained/resnet50.pth, a
        # deep-stem-128 ResNet-50) are not mmseg's resnet50_v1c (stem 64);
        # convert them with tools/model_converters/cavp2mmavs.py
        init_cfg=None),
    audio_backbone=dict(
        type='VGGish',
        fc_channels=(4096, 4096, latent),
        frozen=False,
        # the official code starts from the VGGish release with the last
        # layer re-initialised: its 128-d embeddings.4 does not load here
        init_cfg=dict(
            type='Pretrained', checkpoint='pretrain/vggish-10086976.pth')),
    decode_head=dict(
        type='AudioFusionHead',
        head=dict(
            type='CAVPASPPHead',
            in_channels=2048,
            in_index=3,
            channels=256,
            dilations=(6, 12, 18),
            c1_in_channels=256,
            c1_channels=48,
            c1_index=0,
            dropout_ratio=0,
            num_classes=71,  # AVSBench-Semantics, background included
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='mmseg.CrossEntropyLoss',
                use_sigmoid=False,
                avg_non_ignore=True,
                loss_weight=1.0)),
        fusion=dict(
            type='CAVPFusion',
            in_channels=latent,
            audio_channels=latent,
            embed_dims=latent,
            projector_channels=256,
            depth=1,
            num_heads=4)),
    # the official contrastive loss (loss/contrastive_aud.py) on the fused
    # 304-d feature of the original and the batch-re-paired audio, with the
    # trainers' per-class audio bank (16 clips, half of the mismatched
    # pairs re-paired with their own class from epoch 1)
    av_loss=dict(
        type='CAVPContrastLoss',
        stage=0,
        temperature=0.1,
        max_views=512,
        memory_bank=dict(size=16, replace_fraction=0.5, start_epoch=1),
        loss_weight=1.0),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
