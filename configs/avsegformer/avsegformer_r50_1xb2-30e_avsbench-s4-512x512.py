_base_ = [
    '../_base_/models/avsegformer_r50.py',
    '../_base_/datasets/avsbench_s4_avsegformer-512x512.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_adamw_30e.py'
]
# the visual backbone gets no gradient during the first 5 epochs
custom_hooks = [
    dict(type='RandomStateHook'),
    dict(type='FreezeBackboneHook', freeze_epochs=5)
]
