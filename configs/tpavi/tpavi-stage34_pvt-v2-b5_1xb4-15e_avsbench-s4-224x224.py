# Table 7: TPAVI at encoder stages 3-4 only (0-based levels 2, 3).
_base_ = './tpavi_pvt-v2-b5_1xb4-15e_avsbench-s4-224x224.py'
model = dict(fusion=dict(stages=(2, 3)))
