# CAVP with the PVT-v2-b5 image encoder (appendix B.1) on
# AVSBench-Semantics at the original resolution.
_base_ = [
    '../_base_/models/cavp_pvt-v2-b5.py',
    '../_base_/datasets/avss_512x512.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_sgd_80e.py'
]
