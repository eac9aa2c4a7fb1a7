# VPO-SS, mono audio (CAVP/VPO, CVPR 2024, Sec. 3; Table 8 and Fig. 7):
# COCO images paired with class sounds, one sounding object per image.
# Build it with tools/dataset_converters/build_vpo.py --subset ss
# (docs/dataset_prepare.md). Appendix B.1 protocol: train with random
# rescaling 0.5-2.0, 512x512 crops, horizontal flips and colour jitter; the
# audio is the log-mel of 3 s at 16 kHz; test at the original size, batch 1.
dataset_type = 'VPODataset'
data_root = 'data/vpo/ss'
num_classes = 22  # the 21 classes of Table 7 and the background
crop_size = (512, 512)
# frames are BGR uint8 here: pad with the ImageNet mean (normalises to 0)
mean_bgr = (103.53, 116.28, 123.675)
log_mel = dict(
    type='ComputeLogMel', window_seconds=3.0, num_time_frames=300,
    stereo=False)
train_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSAnnotations', binary=False),
    dict(type='LoadAudio', expected_sample_rate=16000),
    dict(type='AVSRandomResize', ratio_range=(0.5, 2.0)),
    dict(type='AVSRandomCrop', crop_size=crop_size, pad_val=mean_bgr),
    # before the log-mel: a flip also swaps the stereo channels
    dict(type='AVSRandomFlip', prob=0.5),
    dict(type='AVSPhotoMetricDistortion'),
    log_mel,
    dict(type='PackAVSInputs'),
]
test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='LoadAVSAnnotations', binary=False),
    dict(type='LoadAudio', expected_sample_rate=16000),
    log_mel,
    dict(type='PackAVSInputs'),
]
# for decoders that need a fixed input size (TPAVI's): frames resized to
# the crop size, masks kept; predictions are resized back to the masks
resized_test_pipeline = [
    dict(type='LoadAVSFrames'),
    dict(type='AVSResize', scale=crop_size),
    dict(type='LoadAVSAnnotations', binary=False),
    dict(type='LoadAudio', expected_sample_rate=16000),
    log_mel,
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
# VPO has train and test splits only
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='mmavs.avs_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='AVSSMetric')
test_evaluator = val_evaluator
