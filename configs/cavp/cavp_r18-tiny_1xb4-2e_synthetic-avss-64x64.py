# A small CAVP that trains on CPU on the synthetic AVSBench-Semantics tree
# (tools/dataset_converters/make_synthetic_avss.py, 4 classes + background):
# the released architecture (deep-stem ResNet with a multi-grid dilated last
# stage, the official DeepLabV3+ with the audio fused on its feature, a
# VGG-shaped audio encoder, the CAVP loss), narrower: ResNetV1c-18 with 16
# base channels, a 16-channel ASPP, a 24-channel fusion point, a small VGG
# from scratch, Adam.
_base_ = './cavp_r50-d16_1xb16-80e_avss-224x224.py'
data_root = 'data/synthetic_avss'
num_classes = 5
crop_size = (64, 64)
latent = 24  # 16 ASPP + 8 layer1 channels
model = dict(
    backbone=dict(
        depth=18, base_channels=16, stem_channels=16, multi_grid=(2, 4)),
    audio_backbone=dict(
        conv_channels=(8, 'M', 16, 'M', 16, 'M', 16, 'M'),
        fc_channels=(32, latent),
        init_cfg=None),
    decode_head=dict(
        head=dict(
            in_channels=128,
            channels=16,
            c1_in_channels=16,
            c1_channels=8,
            num_classes=num_classes),
        fusion=dict(
            in_channels=latent,
            audio_channels=latent,
            embed_dims=latent,
            projector_channels=16,
            num_heads=2)),
    av_loss=dict(max_views=16))  # 16x16 fused maps

audio_transforms = [
    dict(type='LoadAudio'),
    dict(type='ComputeLogMel', window_seconds=1.0, num_time_frames=96),
]
train_pipeline = [
    dict(type='AVSSampleFrames', num_frames=1),
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    *audio_transforms,
    dict(type='AVSRandomFlip', prob=0.5),
    dict(type='AVSResize', scale=crop_size, interpolation='bicubic'),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
# scored at 64x64, as the base config scores at 224x224
test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    *audio_transforms,
    dict(
        type='AVSResize',
        scale=crop_size,
        interpolation='bicubic',
        update_ori_shape=True),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = []
train_cfg = dict(max_epochs=2, val_interval=1)
default_hooks = dict(logger=dict(interval=1))
randomness = dict(seed=0)
