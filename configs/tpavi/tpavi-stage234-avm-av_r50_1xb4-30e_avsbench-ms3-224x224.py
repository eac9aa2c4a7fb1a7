# Table 7: TPAVI and L_AVM-AV at encoder stages 2-4 only
# (0-based levels 1, 2, 3).
_base_ = './tpavi-avm-av_r50_1xb4-30e_avsbench-ms3-224x224.py'
model = dict(fusion=dict(stages=(1, 2, 3)), av_loss=dict(stages=(1, 2, 3)))
