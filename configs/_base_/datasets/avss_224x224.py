# AVSBench-Semantics (v1s + v1m + v2), frames and masks resized to 224x224:
# the protocol of CAVP Table 1 (J & F of the official AVSS code) and
# Table 2. Official release layout under data_root (metadata.csv,
# label2idx.json, <label>/<uid>/{frames,labels_rgb,audio.wav}).
dataset_type = 'AVSBenchSemanticsDataset'
data_root = 'data/avsbench/AVSBench-semantic'
num_classes = 71  # label2idx.json, background included
crop_size = (224, 224)
# CAVP trains on one random labelled frame per clip and its 1 s of audio
# (so v1 clips of 5 frames and v2 clips of 10 share batches); the test
# pipeline keeps whole clips (batch 1).
audio_transforms = [
    dict(type='LoadAudio'),
    dict(type='ComputeLogMel', window_seconds=1.0, num_time_frames=96),
]
train_pipeline = [
    dict(type='AVSSampleFrames', num_frames=1),
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    *audio_transforms,
    dict(type='AVSResize', scale=crop_size),
    dict(type='AVSRandomFlip', prob=0.5),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSSemanticAnnotations', palette=num_classes),
    *audio_transforms,
    # the official AVSS evaluation scores masks resized to 224 (nearest):
    # update_ori_shape makes mmseg restore predictions to 224, not the
    # original size
    dict(type='AVSResize', scale=crop_size, update_ori_shape=True),
    dict(type='ComputeAudioLabels'),
    dict(type='PackAVSInputs'),
]
train_dataloader = dict(
    batch_size=16,
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
    batch_size=1,
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
val_evaluator = dict(type='AVSSMetric')
test_evaluator = val_evaluator
