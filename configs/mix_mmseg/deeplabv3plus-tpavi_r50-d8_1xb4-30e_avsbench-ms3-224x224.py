# mmseg's own DeepLabV3+ (ResNetV1c-50-D8, ImageNet weights) made
# audio-visual, as segformer-tpavi_mit-b0_*.py: audio backbone, TPAVI on the
# two levels DepthwiseSeparableASPPHead reads (stride 4 and the ASPP input),
# AVSBench MS3 data. Recipe: docs/mix_into_mmseg.md.
_base_ = [
    'mmseg::_base_/models/deeplabv3plus_r50-d8.py',
    '../_base_/datasets/avsbench_ms3.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_adam_30e.py'
]
binary = dict(
    num_classes=2,
    out_channels=1,
    threshold=0.5,
    loss_decode=dict(use_sigmoid=True, avg_non_ignore=True))
model = dict(
    _scope_='mmavs',
    type='AudioVisualSegmentor',
    data_preprocessor=dict(
        _delete_=True,
        type='AVSDataPreprocessor',
        mean={{_base_.data_preprocessor.mean}},
        std={{_base_.data_preprocessor.std}},
        bgr_to_rgb={{_base_.data_preprocessor.bgr_to_rgb}}),
    audio_backbone=dict(
        type='VGGish',
        frozen=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/harritaylor/torchvggish/'
            'releases/download/v0.1/vggish-10086976.pth')),
    fusion=dict(
        type='TPAVI',
        in_channels=[256, 512, 1024, 2048],
        stages=(0, 3),
        audio_channels=128),
    decode_head=binary,
    auxiliary_head=binary)
