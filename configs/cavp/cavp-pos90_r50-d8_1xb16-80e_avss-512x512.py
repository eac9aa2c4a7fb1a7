# CAVP Table 6: 90% positive (E_fg) and 10% negative (E_bg)
# samples in Eq. (4).
_base_ = './cavp_r50-d8_1xb16-80e_avss-512x512.py'
model = dict(av_loss=dict(pos_fraction=0.9))
