# cavp-enc: the encoder-fusion reading of the CAVP paper text (f_CA on a
# backbone stage, mmseg DepthwiseSeparableASPPHead), NOT the released CAVP
# network (configs/cavp/cavp_r50-d16_*); see configs/cavp/README.md.
# CAVP Table 3 (and the CAVP rows of Tables 5, 6 and Fig. 6):
# AVSBench-Semantics at the original resolution, 512x512 training crops.
_base_ = [
    '../_base_/models/cavp-enc_r50-d8.py', '../_base_/datasets/avss_512x512.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_sgd_80e.py'
]
