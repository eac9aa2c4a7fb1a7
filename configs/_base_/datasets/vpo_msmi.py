# VPO-MSMI, mono audio (CAVP/VPO, CVPR 2024, Sec. 3; Table 8): VPO-MS and
# images with several instances of a class.
# Build it with tools/dataset_converters/build_vpo.py --subset msmi.
_base_ = './vpo_ss.py'
data_root = 'data/vpo/msmi'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
