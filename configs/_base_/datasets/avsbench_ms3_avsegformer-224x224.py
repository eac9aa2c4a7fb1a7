# AVSBench-Object MS3 as AVSegFormer's dataloader reads it (224x224).
_base_ = './avsbench_s4_avsegformer-224x224.py'
data_root = 'data/avsbench/Multi-sources'
subset = 'ms3'
train_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
val_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
test_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
