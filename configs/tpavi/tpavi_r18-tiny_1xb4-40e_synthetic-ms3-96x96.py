# A small TPAVI that trains on CPU in minutes on the bundled synthetic
# AVSBench-style data (tools/dataset_converters/make_synthetic_avs.py).
# Same architecture as the paper's, narrower: ResNet-18 with 16 base
# channels, 32-channel ASPP/TPAVI/decoder, a small VGGish (with BN, so that
# its features stay well scaled) trained from scratch.
_base_ = [
    '../_base_/models/tpavi_r50.py', '../_base_/datasets/avsbench_ms3.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_adam_15e.py'
]
data_root = 'data/synthetic_avs'
crop_size = (96, 96)
width = 32
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmseg.ResNet',
        depth=18,
        base_channels=16,
        stem_channels=16,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        style='pytorch'),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=width),
    audio_backbone=dict(
        _delete_=True,
        type='VGGish',
        conv_channels=(8, 'M', 16, 'M', 32, 32, 'M', 64, 64, 'M'),
        fc_channels=(256, 128),
        norm_cfg=dict(type='BN'),
        frozen=False),
    fusion=dict(in_channels=width),
    decode_head=dict(
        in_channels=[width] * 4, mid_channels=width, channels=16))

train_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSAnnotations'),
    dict(type='LoadAudio'),
    dict(type='ComputeVGGishExamples', num_examples=5),
    dict(type='AVSResize', scale=crop_size),
    dict(type='PackAVSInputs'),
]
test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='AVSResize', scale=crop_size),
    dict(type='LoadAVSAnnotations'),
    dict(type='LoadAudio'),
    dict(type='ComputeVGGishExamples', num_examples=5),
    dict(type='PackAVSInputs'),
]
train_dataloader = dict(
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=40, val_interval=10)
default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
