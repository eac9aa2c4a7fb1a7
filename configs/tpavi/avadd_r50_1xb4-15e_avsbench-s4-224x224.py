# A (+) V (Table 5): the audio, projected to 256 channels, is added to
# every position of the four ASPP levels (AVAdd's defaults).
_base_ = './tpavi_r50_1xb4-15e_avsbench-s4-224x224.py'
model = dict(fusion=dict(_delete_=True, type='AVAdd'))
