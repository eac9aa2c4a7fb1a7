# AVSBench-Semantics at the original resolution (CAVP Table 3, appendix B.1):
# train with random rescaling 0.5-2.0, 512x512 crops, horizontal flips and
# colour jitter; test whole clips at their original size, batch 1.
_base_ = './avss_224x224.py'
num_classes = 71
crop_size = (512, 512)
# frames are BGR uint8 here: pad with the ImageNet mean, which normalises
# to 0 (as the CAVP code pads)
mean_bgr = (103.53, 116.28, 123.675)
train_pipeline = [
    dict(type='AVSSampleFrames', num_frames=1),
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    dict(type='LoadAudio'),
    dict(type='ComputeLogMel', window_seconds=1.0, num_time_frames=96),
    dict(type='AVSRandomResize', ratio_range=(0.5, 2.0)),
    dict(type='AVSRandomCrop', crop_size=crop_size, pad_val=mean_bgr),
    dict(type='AVSRandomFlip', prob=0.5),
    dict(type='AVSPhotoMetricDistortion'),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    dict(type='LoadAudio'),
    dict(type='ComputeLogMel', window_seconds=1.0, num_time_frames=96),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
