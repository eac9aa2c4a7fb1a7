# Without TPAVI (Tables 5, 8): the model does not hear the audio.
_base_ = './tpavi_r50_1xb4-30e_avsbench-ms3-224x224.py'
model = dict(audio_backbone=None, fusion=None)
