# The released AVSBench-Semantics TPAVI network with PVT-v2-b5
# (avs_scripts/avss, PVT_AVSModel.py + train.sh); see the ResNet-50 config.
_base_ = './tpavi-avm-av_r50_1xb4-60e_avss-224x224.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='PyramidVisionTransformerV2',
        arch='b5',
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/whai362/PVT/'
            'releases/download/v2/pvt_v2_b5.pth')),
    neck=dict(in_channels=[64, 128, 320, 512]))
