# A small AVSegFormer that trains on CPU in about a minute on the bundled
# synthetic AVSBench-style data (tools/dataset_converters/
# make_synthetic_avs.py): the released architecture, narrower and shallower
# (ResNet-18 with 16 base channels, width 32, 16 queries, 2 layers per
# transformer), a small VGGish (with BN) trained from scratch, lr 1e-3.
_base_ = [
    '../_base_/models/avsegformer_r50.py',
    '../_base_/datasets/avsbench_ms3_avsegformer-224x224.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_adamw_30e.py'
]
data_root = 'data/synthetic_avs'
crop_size = (64, 64)
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
    audio_backbone=dict(
        _delete_=True,
        type='VGGish',
        conv_channels=(8, 'M', 16, 'M', 32, 32, 'M', 64, 64, 'M'),
        fc_channels=(256, 128),
        norm_cfg=dict(type='BN'),
        frozen=False),
    decode_head=dict(
        in_channels=[16, 32, 64, 128],
        channels=16,
        embed_dims=width,
        num_queries=16,
        num_pos_feats=width // 2,
        mlp_channels=64,
        mask_channels=16,
        query_generator=dict(
            embed_dims=width, num_layers=2, num_heads=4, ffn_channels=64),
        encoder=dict(
            embed_dims=width, num_layers=2, num_heads=4, ffn_channels=64),
        decoder=dict(
            embed_dims=width, num_layers=2, num_heads=4, ffn_channels=64),
        mixer=dict(embed_dims=width, num_heads=4)))

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
    dict(type='LoadAVSAnnotations'),
    dict(type='LoadAudio'),
    dict(type='ComputeVGGishExamples', num_examples=5),
    dict(type='AVSResize', scale=crop_size, update_ori_shape=True),
    dict(type='PackAVSInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=20, val_interval=10)
default_hooks = dict(logger=dict(interval=10))
randomness = dict(seed=0)
