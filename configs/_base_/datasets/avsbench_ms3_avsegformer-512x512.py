# AVSBench-Object MS3 as AVSegFormer's dataloader reads it (512x512).
_base_ = './avsbench_s4_avsegformer-512x512.py'
data_root = 'data/avsbench/Multi-sources'
subset = 'ms3'
train_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
val_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
test_dataloader = dict(dataset=dict(data_root=data_root, subset=subset))
