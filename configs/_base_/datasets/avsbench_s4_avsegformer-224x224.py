# AVSBench-Object S4 as AVSegFormer's dataloader reads it: frames and masks
# of every split resized to the input size (masks nearest) and scored at
# that size (update_ori_shape), no augmentation, batch 2.
_base_ = './avsbench_s4.py'
crop_size = (224, 224)
# The release reads the precomputed log-mel (audio_log_mel/*.pkl): to do
# the same, replace LoadAudio + ComputeVGGishExamples by LoadVGGishExamples.
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
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
