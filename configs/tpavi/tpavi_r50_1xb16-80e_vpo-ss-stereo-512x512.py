# TPAVI on VPO-SS, stereo audio (CAVP/VPO, CVPR 2024, Table 4 and
# Fig. 7), under the VPO training protocol of appendix B.1.
_base_ = [
    '../_base_/models/tpavi_r50_vpo.py',
    '../_base_/datasets/vpo_ss_stereo.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_sgd_80e.py'
]
model = dict(audio_backbone=dict(in_channels=2))  # left and right log-mel
val_dataloader = dict(
    dataset=dict(pipeline={{_base_.resized_test_pipeline}}))
test_dataloader = val_dataloader
