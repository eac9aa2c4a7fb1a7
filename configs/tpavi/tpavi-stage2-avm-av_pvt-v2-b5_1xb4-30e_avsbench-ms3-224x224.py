# Table 7: TPAVI and L_AVM-AV at encoder stage 2 only
# (0-based level 1).
_base_ = './tpavi-avm-av_pvt-v2-b5_1xb4-30e_avsbench-ms3-224x224.py'
model = dict(fusion=dict(stages=(1,)), av_loss=dict(stages=(1,)))
