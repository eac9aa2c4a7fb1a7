# CAVP as released, AVSBench-Object multi-source (MS / MS3) at 224x224: the
# network of the released "avsbench-object-ms-224" checkpoint; the S4
# config on the MS3 subset (every MS3 frame is labelled).
_base_ = './cavp_r50-d16_1xb16-80e_avsbench-s4-224x224.py'
data_root = 'data/avsbench/Multi-sources'
subset = 'ms3'
train_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
val_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
test_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
