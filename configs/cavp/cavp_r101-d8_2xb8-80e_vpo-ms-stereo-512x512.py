# CAVP as released on VPO-MS, stereo audio (cyh-0/CAVP README: main_vpo_stereo.py
# --setup vpo_ms, 2 GPUs x batch 8): 512x512 crops, test at the original size.
_base_ = [
    '../_base_/models/cavp_r101-d8_vpo.py', '../_base_/datasets/vpo_ms_stereo.py',
    '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_cavp-vpo_sgd_80e.py'
]
model = dict(audio_backbone=dict(in_channels=2))  # left and right log-mel
train_dataloader = dict(batch_size=8)
auto_scale_lr = dict(enable=False, base_batch_size=16)
val_evaluator = dict(type='AVSSMetric', miou_average='all')
test_evaluator = val_evaluator
