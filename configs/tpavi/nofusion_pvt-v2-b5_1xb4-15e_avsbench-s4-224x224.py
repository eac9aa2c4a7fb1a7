# Without TPAVI (Tables 5, 8): the model does not hear the audio.
_base_ = './tpavi_pvt-v2-b5_1xb4-15e_avsbench-s4-224x224.py'
model = dict(audio_backbone=None, fusion=None)
