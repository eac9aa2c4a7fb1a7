# AVSBench-Object S4 at 512x512: the size the released AVSegFormer
# dataloaders actually resize to (transforms.Resize([512, 512]) in
# dataloader/s4_dataset.py and ms3_dataset.py), whatever the configs' 224.
_base_ = './avsbench_s4_avsegformer-224x224.py'
crop_size = (512, 512)
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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
