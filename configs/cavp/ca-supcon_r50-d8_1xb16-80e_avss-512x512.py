# cavp-enc: the encoder-fusion reading of the CAVP paper text (f_CA on a
# backbone stage, mmseg DepthwiseSeparableASPPHead), NOT the released CAVP
# network (configs/cavp/cavp_r50-d16_*); see configs/cavp/README.md.
# CAVP Table 5, row "SupCon": f_CA plus the supervised contrastive loss on
# the original pairs (pixel labels only, no audio re-pairing).
_base_ = './cavp-enc_r50-d8_1xb16-80e_avss-512x512.py'
model = dict(av_loss=dict(mode='supcon', memory_bank=None))
