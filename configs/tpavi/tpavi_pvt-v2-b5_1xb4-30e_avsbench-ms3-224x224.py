_base_ = [
    '../_base_/models/tpavi_pvt-v2-b5.py',
    '../_base_/datasets/avsbench_ms3.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_adam_30e.py'
]
