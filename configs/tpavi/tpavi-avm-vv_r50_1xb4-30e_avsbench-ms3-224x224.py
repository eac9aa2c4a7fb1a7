# BCE + L_AVM-VV (Table 6): masked visual features of clips whose audio is
# nearest are matched.
_base_ = './tpavi-avm-av_r50_1xb4-30e_avsbench-ms3-224x224.py'
model = dict(av_loss=dict(mode='vv'))
