# Table 7: TPAVI at encoder stages 2-4 only (0-based levels 1, 2, 3).
_base_ = './tpavi_pvt-v2-b5_1xb4-15e_avsbench-s4-224x224.py'
model = dict(fusion=dict(stages=(1, 2, 3)))
