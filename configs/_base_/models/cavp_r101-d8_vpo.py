# CAVP as released for VPO (cyh-0/CAVP, config/config_vpo_*.py,
# main_vpo_mono.py / main_vpo_stereo.py): the released network with the
# VPO settings: ResNet-101 whose layer3 is dilated too
# (last_three_dilation_stride [False, True, True]: output stride 8; layer4
# dilations 2, 4, 8), 22 classes (21 VPO classes + background) and the
# ResNet-18 audio encoder (3 s of audio; mono: 1 input channel) with
# global max pooling and fc 512 -> 304.
_base_ = './cavp_r50-d16.py'
model = dict(
    backbone=dict(
        depth=101,
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 2),
        # torchvision's dilated stage: first block at the previous dilation
        contract_dilation=True),
    audio_backbone=dict(
        _delete_=True,
        type='ResNetAudio',
        depth=18,
        in_channels=1,
        out_channels=304,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    decode_head=dict(head=dict(num_classes=22)))
