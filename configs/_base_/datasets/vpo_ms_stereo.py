# VPO-MS, stereo audio (CAVP/VPO, CVPR 2024, Sec. 3; Table 4): up to five
# sounding objects of different classes, each panned by its centroid.
# Build it with tools/dataset_converters/build_vpo.py --subset ms.
_base_ = './vpo_ss_stereo.py'
data_root = 'data/vpo/ms'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
