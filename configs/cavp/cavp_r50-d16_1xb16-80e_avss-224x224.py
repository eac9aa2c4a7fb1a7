# CAVP as released, AVSBench-Semantics at 224x224: the network and input
# protocol of the released "avss-224" checkpoint (cyh-0/CAVP, README;
# config/config_avss.py with --resize_flag at 224; test_avs_semantic.py).
# Convert the checkpoint with tools/model_converters/cavp2mmavs.py.
_base_ = [
    '../_base_/models/cavp_r50-d16.py', '../_base_/datasets/avss_224x224.py',
    '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_cavp_sgd_80e.py'
]
num_classes = 71
crop_size = (224, 224)
# frames and masks resized to 224x224 (frames bicubic, masks nearest), for
# training and testing; one labelled frame per clip per iteration with its
# 1 s log-mel; horizontal flips. (The official random rescaling by 0.5 /
# 0.75 / 1 before the resize changes no geometry and is left out.)
# audio: the official loader crops 10 s around the clip's middle and the
# trainer cuts it into 10 chunks (clips are padded to 10 frames): frame t
# gets the first 96 log-mel frames of chunk t
audio_transforms = [
    dict(type='LoadAudio'),
    dict(
        type='ComputeLogMel',
        num_time_frames=96,
        crop_seconds=10.0,
        num_chunks=10),
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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# both protocols of the CAVP README: per-dataset mIoU / F-score (mIoU over
# all classes, as CAVP's MIoU) and the AVSBench-Semantics J and F
val_evaluator = dict(type='AVSSMetric', miou_average='all')
test_evaluator = val_evaluator

