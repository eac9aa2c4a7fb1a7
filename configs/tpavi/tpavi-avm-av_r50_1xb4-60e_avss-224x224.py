# The released AVSBench-Semantics TPAVI network (avs_scripts/avss,
# ResNet_AVSModel.py + train.sh): 71-class logits, 10-frame clips whose TPAVI
# attends within each half of 5 frames, audio projection without bias, CE
# over the labelled frames + L_AVM-AV (lambda 0.5, stages 1-4) on the hard
# foreground of the prediction.
_base_ = [
    '../_base_/models/tpavi_r50.py', '../_base_/datasets/avss_10f_224x224.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_adam_60e.py'
]
num_classes = 71
model = dict(
    fusion=dict(audio_proj_bias=False, temporal_window=5),
    decode_head=dict(
        num_classes=num_classes,
        out_channels=num_classes,
        threshold=None,
        loss_decode=dict(use_sigmoid=False)),
    av_loss=dict(
        type='AVMLoss',
        mode='av',
        stages=(0, 1, 2, 3),
        loss_weight=0.5,
        mask_source='foreground',
        reduction='labelled_mean'))
