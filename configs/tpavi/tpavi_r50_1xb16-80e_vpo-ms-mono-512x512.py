# TPAVI on VPO-MS, mono audio (CAVP/VPO, CVPR 2024, Table 8 and
# Fig. 7), under the VPO training protocol of appendix B.1.
_base_ = [
    '../_base_/models/tpavi_r50_vpo.py',
    '../_base_/datasets/vpo_ms.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_sgd_80e.py'
]
val_dataloader = dict(
    dataset=dict(pipeline={{_base_.resized_test_pipeline}}))
test_dataloader = val_dataloader
