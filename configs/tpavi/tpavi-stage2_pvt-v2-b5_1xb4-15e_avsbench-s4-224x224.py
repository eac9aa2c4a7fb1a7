# Table 7: TPAVI at encoder stage 2 only (0-based level 1).
_base_ = './tpavi_pvt-v2-b5_1xb4-15e_avsbench-s4-224x224.py'
model = dict(fusion=dict(stages=(1,)))
