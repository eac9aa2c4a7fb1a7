# cavp-enc: the encoder-fusion reading of the CAVP paper text (f_CA on a
# backbone stage, mmseg DepthwiseSeparableASPPHead), NOT the released CAVP
# network (configs/cavp/cavp_r50-d16_*); see configs/cavp/README.md.
# CAVP Table 6: 90% positive (E_fg) and 10% negative (E_bg)
# samples in Eq. (4).
_base_ = './cavp-enc_r50-d8_1xb16-80e_avss-512x512.py'
model = dict(av_loss=dict(pos_fraction=0.9))
