# The Panoptic-FPN (Semantic FPN) decoder the AVSBench paper names, mmseg's
# FPNHead, for binary masks (one sigmoid channel) on four 256-channel levels
# at strides 4-32. Not a model: a config swaps its decoder for this one with
# `model = dict(decode_head={{_base_.fpn_head}})`.
fpn_head = dict(
    _delete_=True,
    type='mmseg.FPNHead',
    in_channels=[256, 256, 256, 256],
    in_index=[0, 1, 2, 3],
    feature_strides=[4, 8, 16, 32],
    channels=128,
    dropout_ratio=0.1,
    num_classes=2,
    out_channels=1,
    threshold=0.5,
    norm_cfg=dict(type='BN', requires_grad=True),
    align_corners=False,
    loss_decode=dict(
        type='mmseg.CrossEntropyLoss',
        use_sigmoid=True,
        avg_non_ignore=True,
        loss_weight=1.0))
