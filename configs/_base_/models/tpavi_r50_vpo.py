# TPAVI (ResNet-50) for the multi-class VPO benchmarks (CAVP/VPO, CVPR 2024,
# Tables 4 and 8): the AVSBench baseline with a per-pixel softmax over the
# 21 VPO classes and the background (cross-entropy), and the ResNet-18
# log-mel audio encoder that appendix B.1 uses on VPO (it takes the mono or
# stereo spectrogram), projected to TPAVI's 128 audio channels.
_base_ = './tpavi_r50.py'
model = dict(
    audio_backbone=dict(
        _delete_=True,
        type='ResNetAudio',
        depth=18,
        in_channels=1,
        out_channels=128,
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet18')),
    decode_head=dict(
        num_classes=22,
        out_channels=22,
        threshold=None,
        loss_decode=dict(use_sigmoid=False)))
