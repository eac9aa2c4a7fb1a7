# A small CAVP that trains on CPU on the synthetic AVSBench-Semantics tree
# (tools/dataset_converters/make_synthetic_avss.py, 4 classes + background):
# the paper's architecture (dilated ResNet, f_CA, DeepLabV3+, CAVP loss),
# narrower: ResNetV1c-18 with 16 base channels, 16-channel ASPP, 32-wide
# attention, a ResNet-18 audio encoder from scratch, Adam.
_base_ = [
    '../_base_/models/cavp_r50-d8.py', '../_base_/datasets/avss_224x224.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_sgd_80e.py'
]
data_root = 'data/synthetic_avss'
num_classes = 5
crop_size = (64, 64)
model = dict(
    backbone=dict(
        depth=18,
        base_channels=16,
        stem_channels=16,
        init_cfg=None),
    audio_backbone=dict(out_channels=64, init_cfg=None),
    fusion=dict(
        in_channels=[16, 32, 64, 128],
        audio_channels=64,
        embed_dims=32,
        num_heads=2),
    av_loss=dict(num_samples=256),
    decode_head=dict(
        in_channels=128,
        channels=16,
        dilations=(1, 2, 3, 4),
        c1_in_channels=16,
        c1_channels=8,
        num_classes=num_classes))

audio_transforms = [
    dict(type='LoadAudio'),
    dict(type='ComputeLogMel', window_seconds=1.0, num_time_frames=96),
]
train_pipeline = [
    dict(type='AVSSampleFrames', num_frames=1),
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    *audio_transforms,
    dict(type='AVSResize', scale=crop_size),
    dict(type='AVSRandomFlip', prob=0.5),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
# scored at 64x64, as the base config scores at 224x224
test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    *audio_transforms,
    dict(type='AVSResize', scale=crop_size, update_ori_shape=True),
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
