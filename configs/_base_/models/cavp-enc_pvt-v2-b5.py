# cavp-enc: the encoder-fusion reading of the CAVP paper text (f_CA on a
# backbone stage, mmseg DepthwiseSeparableASPPHead), NOT the released CAVP
# network (configs/cavp/cavp_r50-d16_*); see configs/cavp/README.md.
# CAVP with a PVT-v2-b5 image encoder (appendix B.1; ImageNet-1k weights of
# the official PVT-v2 release): channels [64, 128, 320, 512] at strides
# 4-32; f_CA and CAVP on the last stage, DeepLabV3+ as in the CAVP code
# (ASPP width 64 on the 512-channel stage, low-level 64-channel stage).
_base_ = './cavp-enc_r50-d8.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='PyramidVisionTransformerV2',
        arch='b5',
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/whai362/PVT/'
            'releases/download/v2/pvt_v2_b5.pth')),
    fusion=dict(in_channels=[64, 128, 320, 512]),
    decode_head=dict(in_channels=512, channels=64, c1_in_channels=64))
