_base_ = [
    '../_base_/models/avsegformer_pvt-v2-b5.py',
    '../_base_/datasets/avss_avsegformer-224x224.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_adamw_30e.py'
]
num_classes = 71
# 71 classes (background = 0), cross-entropy over the labelled frames; the
# mix loss gets "any class but background" as its binary target
model = dict(
    decode_head=dict(
        num_classes=num_classes,
        out_channels=num_classes,
        threshold=None,
        background_index=0,
        loss_decode=dict(
            _delete_=True,
            type='mmseg.CrossEntropyLoss',
            avg_non_ignore=True,
            loss_weight=1.0)))
# the release validates after 0-based epochs 10, 12, ... 28 (1-based 11 ...
# 29); mmengine validates on multiples of the interval: 12, 14, ... 30
train_cfg = dict(val_begin=11, val_interval=2)
default_hooks = dict(checkpoint=dict(save_best='J'))
# freeze_epochs = 0 in the release: the backbone trains from the start
