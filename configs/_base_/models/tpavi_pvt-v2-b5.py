# AVSBench baseline with a PVT-v2-b5 backbone (ImageNet-1k weights of the
# official PVT-v2 release), channels [64, 128, 320, 512] at strides 4-32.
_base_ = './tpavi_r50.py'
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
