_base_ = [
    '../_base_/models/avsegformer_r50.py',
    '../_base_/datasets/avsbench_ms3_avsegformer-224x224.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_adamw_30e.py'
]
train_cfg = dict(max_epochs=60)
# the visual backbone gets no gradient during the first 10 epochs
custom_hooks = [
    dict(type='RandomStateHook'),
    dict(type='FreezeBackboneHook', freeze_epochs=10)
]
