# VPO-MSMI, stereo audio (CAVP/VPO, CVPR 2024, Sec. 3; Table 4): VPO-MS and
# images with several instances of a class, each sounding object panned by
# its mask centroid.
# Build it with tools/dataset_converters/build_vpo.py --subset msmi.
_base_ = './vpo_ss_stereo.py'
data_root = 'data/vpo/msmi'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
