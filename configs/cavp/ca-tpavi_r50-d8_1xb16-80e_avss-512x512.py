# cavp-enc: the encoder-fusion reading of the CAVP paper text (f_CA on a
# backbone stage, mmseg DepthwiseSeparableASPPHead), NOT the released CAVP
# network (configs/cavp/cavp_r50-d16_*); see configs/cavp/README.md.
# CAVP Table 5, row "TPAVI": the DeepLabV3+ model with a TPAVI-like
# cross-attention fusion on the last stage and no contrastive loss.
_base_ = './cavp-enc_r50-d8_1xb16-80e_avss-512x512.py'
model = dict(
    fusion=dict(
        _delete_=True,
        type='TPAVI',
        in_channels=[256, 512, 1024, 2048],
        stages=(3, ),
        audio_channels=512),
    av_loss=None)
