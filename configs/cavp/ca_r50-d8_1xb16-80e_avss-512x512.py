# CAVP Table 5, row "f_CA": the CAVP cross-attention alone (CAVP loss off).
_base_ = './cavp_r50-d8_1xb16-80e_avss-512x512.py'
model = dict(av_loss=None)
