# The Panoptic-FPN decoder (mmseg's FPNHead) instead of the official one.
_base_ = [
    './tpavi_r50_1xb4-30e_avsbench-ms3-224x224.py',
    '../_base_/models/fpn_head_binary.py',
]
model = dict(decode_head={{_base_.fpn_head}})
