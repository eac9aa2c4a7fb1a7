# AVSBench MS3 schedule: Adam, lr 1e-4, 30 epochs.
_base_ = './schedule_adam_15e.py'
train_cfg = dict(max_epochs=30)
