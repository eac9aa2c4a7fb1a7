# The released CAVP recipe (cyh-0/CAVP README and main_avss.py): batch 16,
# lr 1e-3, weight decay 1e-4, 80 epochs; SGD with momentum 0.9 and poly
# decay (power 0.9) per iteration; the DeepLabV3+ layers (ASPP, reduction,
# classifier: decode_head.head) at 10x the learning rate; no weight decay
# on biases and norms (official group_weight).
_base_ = './schedule_sgd_80e.py'
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(
        _delete_=True,
        custom_keys={'decode_head.head': dict(lr_mult=10.)},
        norm_decay_mult=0.,
        bias_decay_mult=0.))
