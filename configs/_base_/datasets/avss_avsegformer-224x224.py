# AVSBench-Semantics as AVSegFormer's V2Dataset reads it: test frames and
# masks resized to 224x224 (masks nearest) and scored there; VGGish
# examples of the clip's wav, one per frame (5 for v1s / v1m, 10 for v2).
# The release trains on 4 clips a batch, v1 clips padded to 10 black frames
# masked out of the loss; mmavs cannot batch clips of 5 and 10 frames, so
# this trains one whole clip a batch (frames are independent in AVSegFormer:
# only the BatchNorm batch and the effective batch size differ), and
# resizes training frames to 224x224 instead of the release's short side
# 224 + centre crop.
_base_ = './avss_224x224.py'
num_classes = 71
crop_size = (224, 224)
train_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    dict(type='LoadAudio'),
    dict(type='ComputeVGGishExamples', num_examples=None),
    dict(type='AVSResize', scale=crop_size),
    dict(type='PackAVSInputs'),
]
test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    dict(type='LoadAudio'),
    dict(type='ComputeVGGishExamples', num_examples=None),
    dict(type='AVSResize', scale=crop_size, update_ori_shape=True),
    dict(type='PackAVSInputs'),
]
train_dataloader = dict(batch_size=1, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
