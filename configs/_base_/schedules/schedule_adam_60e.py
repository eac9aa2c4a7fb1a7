# AVSBench-Semantics schedule of the released TPAVI code (avss/train.sh):
# Adam, lr 1e-4, no weight decay, 60 epochs; validation from epoch 17 (the
# official loop validates after epochs 17, 19, ..., 59 counted from 1; here
# after every epoch from 17, a superset), the best J (official "miou") kept.
_base_ = './schedule_adam_15e.py'
train_cfg = dict(max_epochs=60, val_begin=17, val_interval=1)
default_hooks = dict(checkpoint=dict(save_best='J'))
