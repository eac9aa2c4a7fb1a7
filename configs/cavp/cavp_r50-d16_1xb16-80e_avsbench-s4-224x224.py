# CAVP as released, AVSBench-Object single-source (SS / S4) at 224x224: the
# network of the released "avsbench-object-ss-224" checkpoint (2 classes,
# background and sounding object) and the protocol of the official
# test_avss_resize.py (frames at their 224x224 size, masks binary,
# AVSBench J and F per image / per video, and the per-dataset mIoU / F).
# The README gives no training command for AVSBench-Object: the AVSS
# recipe is kept, with the contrastive weight of trainer_cavp_avs_obj.py
# (loss_w 0.1) and no audio bank (it only runs on all of AVSBench-S).
_base_ = [
    '../_base_/models/cavp_r50-d16.py', '../_base_/datasets/avsbench_s4.py',
    '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_cavp_sgd_80e.py'
]
crop_size = (224, 224)
model = dict(
    decode_head=dict(head=dict(num_classes=2)),
    av_loss=dict(memory_bank=None, loss_weight=0.1))
# audio: the official loader crops 10 s around the clip's middle and the
# trainer cuts it into 5 chunks (2 s): frame t gets the first 96 log-mel
# frames of chunk t
audio_transforms = [
    dict(type='LoadAudio'),
    dict(
        type='ComputeLogMel',
        num_time_frames=96,
        crop_seconds=10.0,
        num_chunks=5),
]
train_pipeline = [
    dict(type='AVSSampleFrames', num_frames=1),
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSAnnotations'),
    *audio_transforms,
    dict(type='AVSRandomFlip', prob=0.5),
    dict(type='AVSResize', scale=crop_size, interpolation='bicubic'),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSAnnotations'),
    *audio_transforms,
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
val_evaluator = dict(type='AVSSMetric', miou_average='all', object_jf=True)
test_evaluator = val_evaluator
