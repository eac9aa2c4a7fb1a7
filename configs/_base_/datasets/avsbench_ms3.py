# AVSBench-Object, multi-source (MS3) subset, frames resized to 224x224.
_base_ = './avsbench_s4.py'
data_root = 'data/avsbench/Multi-sources'
subset = 'ms3'
train_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
val_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
test_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
