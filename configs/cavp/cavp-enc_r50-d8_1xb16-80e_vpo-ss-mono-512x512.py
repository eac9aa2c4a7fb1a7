# cavp-enc: the encoder-fusion reading of the CAVP paper text (f_CA on a
# backbone stage, mmseg DepthwiseSeparableASPPHead), NOT the released CAVP
# network (configs/cavp/cavp_r50-d16_*); see configs/cavp/README.md.
# CAVP on VPO-SS, mono audio (CAVP/VPO, CVPR 2024, Table 8 and Fig. 7):
# D-ResNet50 + DeepLabV3+, f_CA and the CAVP loss (with the per-class audio
# bank) under the VPO protocol of appendix B.1 (3 s log-mel, ResNet-18
# audio encoder, 512x512 crops, test at the original size).
_base_ = [
    '../_base_/models/cavp-enc_r50-d8.py', '../_base_/datasets/vpo_ss.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_sgd_80e.py'
]
model = dict(decode_head=dict(num_classes=22))  # 21 classes + background
