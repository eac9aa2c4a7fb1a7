# AVSegFormer with the release's ResNet-50 (torchvision layout, stride in
# the 3x3 conv, ImageNet weights; BatchNorm trained).
_base_ = './avsegformer_pvt-v2-b5.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmseg.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        style='pytorch',
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.pytorch.org/models/'
            'resnet50-19c8e357.pth')),
    decode_head=dict(in_channels=[256, 512, 1024, 2048]))
