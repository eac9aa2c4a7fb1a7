# VPO-SS with stereo audio (CAVP/VPO Table 4 and Fig. 7): the two channels
# of the builder's panned mix give a 2-channel log-mel.
_base_ = './vpo_ss.py'
crop_size = (512, 512)
mean_bgr = (103.53, 116.28, 123.675)
log_mel = dict(
    type='ComputeLogMel', window_seconds=3.0, num_time_frames=300,
    stereo=True)
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
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
