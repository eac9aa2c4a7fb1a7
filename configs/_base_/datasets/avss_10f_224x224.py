# AVSBench-Semantics (v1s + v1m + v2) as the released TPAVI code reads it
# (avs_scripts/avss/color_dataloader.py): whole clips, 5-frame v1 clips padded
# to 10 frames (black frames, zero log-mel, all-background labels in the
# official test), train frames short edge resized to 224 and centre-cropped,
# val/test frames resized to 224x224 (PIL, as the official code); scored at
# 224x224. Official release layout under data_root (metadata.csv,
# label2idx.json, <label>/<uid>/{frames,labels_rgb,audio.wav}).
dataset_type = 'AVSBenchSemanticsDataset'
data_root = 'data/avsbench/AVSBench-semantic'
num_classes = 71  # label2idx.json, background (index 0) included
crop_size = 224
num_frames = 10
audio_transforms = [
    dict(type='LoadAudio'),
    # every 0.96 s example of the wav; AVSPadClip zero-pads them to 10
    dict(type='ComputeVGGishExamples', num_examples=None),
]
train_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    *audio_transforms,
    dict(type='AVSResizeCenterCrop', size=crop_size),
    dict(type='AVSPadClip', num_frames=num_frames),
    dict(type='PackAVSInputs'),
]
test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    *audio_transforms,
    dict(
        type='AVSResize',
        scale=(crop_size, crop_size),
        update_ori_shape=True,
        backend='pillow'),
    dict(type='AVSPadClip', num_frames=num_frames),
    dict(type='PackAVSInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='mmavs.avs_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='mmavs.avs_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
# J and F as the official test.py: padded frames count as background frames
val_evaluator = dict(type='AVSSMetric', score_padded_frames=True)
test_evaluator = val_evaluator
