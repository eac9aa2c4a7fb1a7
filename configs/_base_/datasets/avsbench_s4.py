# AVSBench-Object, single-source (S4) subset, frames resized to 224x224.
# Official release layout under data_root; see docs/dataset_prepare.md.
dataset_type = 'AVSBenchObjectDataset'
data_root = 'data/avsbench/Single-source'
subset = 's4'
crop_size = (224, 224)
# To read the released precomputed log-mel (audio_log_mel/*.pkl) instead of
# the wav, replace the two audio transforms with dict(type='LoadVGGishExamples')
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
    dict(type='AVSResize', scale=crop_size),
    # masks stay at their original size; predictions are resized to it
    dict(type='LoadAVSAnnotations'),
    dict(type='LoadAudio'),
    dict(type='ComputeVGGishExamples', num_examples=5),
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
        subset=subset,
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
        subset=subset,
        split='val',
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test'))
val_evaluator = dict(type='AVSMetric')
test_evaluator = val_evaluator
