# cavp-enc: the encoder-fusion reading of the CAVP paper text (f_CA on a
# backbone stage, mmseg DepthwiseSeparableASPPHead), NOT the released CAVP
# network (configs/cavp/cavp_r50-d16_*); see configs/cavp/README.md.
# CAVP with the PVT-v2-b5 image encoder (appendix B.1) on
# AVSBench-Semantics at the original resolution.
_base_ = [
    '../_base_/models/cavp-enc_pvt-v2-b5.py',
    '../_base_/datasets/avss_512x512.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_sgd_80e.py'
]
