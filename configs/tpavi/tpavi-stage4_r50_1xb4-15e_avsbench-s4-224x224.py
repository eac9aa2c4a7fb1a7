# Table 7: TPAVI at encoder stage 4 only (0-based level 3).
_base_ = './tpavi_r50_1xb4-15e_avsbench-s4-224x224.py'
model = dict(fusion=dict(stages=(3,)))
