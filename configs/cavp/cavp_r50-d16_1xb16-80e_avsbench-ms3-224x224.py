# CAVP as released, AVSBench-Object multi-source (MS / MS3) at 224x224: the
# network of the released "avsbench-object-ms-224" checkpoint; the S4
# config on the MS3 subset (every MS3 frame is labelled). The official MS3
# training loader gives frame t chunk t of TEN 1 s chunks of the 10 s crop
# (the test loop: of five 2 s chunks, as S4).
_base_ = './cavp_r50-d16_1xb16-80e_avsbench-s4-224x224.py'
crop_size = (224, 224)
train_pipeline = [
    dict(type='AVSSampleFrames', num_frames=1),
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSAnnotations'),
    dict(type='LoadAudio'),
    dict(
        type='ComputeLogMel',
        num_time_frames=96,
        crop_seconds=10.0,
        num_chunks=10),
    dict(type='AVSRandomFlip', prob=0.5),
    dict(type='AVSResize', scale=crop_size, interpolation='bicubic'),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
data_root = 'data/avsbench/Multi-sources'
subset = 'ms3'
train_dataloader = dict(
    dataset=dict(data_root=data_root, subset=subset, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
test_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
