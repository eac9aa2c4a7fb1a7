# The released CAVP VPO recipe (cyh-0/CAVP README): 2 GPUs x batch 8,
# --lr 5e-4, which main_vpo_*.py multiplies by the GPU count (1e-3), weight
# decay 5e-4, 80 epochs; otherwise the AVSS recipe (SGD momentum 0.9, poly
# decay, DeepLabV3+ layers at 10x, no decay on biases and norms).
_base_ = './schedule_cavp_sgd_80e.py'
optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=5e-4))
