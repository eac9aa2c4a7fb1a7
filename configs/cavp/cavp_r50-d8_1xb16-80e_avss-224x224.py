# CAVP Table 1 / Table 2: AVSBench-Semantics resized to 224x224.
_base_ = [
    '../_base_/models/cavp_r50-d8.py', '../_base_/datasets/avss_224x224.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_sgd_80e.py'
]
