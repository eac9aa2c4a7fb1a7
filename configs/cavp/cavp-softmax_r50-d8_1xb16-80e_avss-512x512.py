# CAVP Fig. 6: f_CA with the 'softmax' attention activation instead of
# sigmoid.
_base_ = './cavp_r50-d8_1xb16-80e_avss-512x512.py'
model = dict(fusion=dict(activation='softmax'))
