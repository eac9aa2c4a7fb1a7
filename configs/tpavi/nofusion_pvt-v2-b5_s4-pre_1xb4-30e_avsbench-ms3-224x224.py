# Table 8: initialised from the S4 model. Train
# nofusion_pvt-v2-b5_1xb4-15e_avsbench-s4-224x224.py first; its last
# checkpoint is loaded (pass --cfg-options load_from=... for another one).
_base_ = './nofusion_pvt-v2-b5_1xb4-30e_avsbench-ms3-224x224.py'
load_from = 'work_dirs/nofusion_pvt-v2-b5_1xb4-15e_avsbench-s4-224x224/epoch_15.pth'  # noqa
