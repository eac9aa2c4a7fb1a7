# AVSegFormer (vvvb-github/AVSegFormer, model/): PVT-v2-b5 (all four
# levels), frozen VGGish, AVSegFormerHead = audio_proj + audio query
# generator + deformable encoder / query decoder + cross-modal mixer.
# Binary masks (S4, MS3): one logit, Dice + 0.1 x mix Dice.
data_preprocessor = dict(
    type='AVSDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True)
embed_dims = 256
num_queries = 300
model = dict(
    type='AudioVisualSegmentor',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='PyramidVisionTransformerV2',
        arch='b5',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/whai362/PVT/'
            'releases/download/v2/pvt_v2_b5.pth')),
    audio_backbone=dict(
        type='VGGish',
        frozen=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/harritaylor/torchvggish/'
            'releases/download/v0.1/vggish-10086976.pth')),
    decode_head=dict(
        type='AVSegFormerHead',
        in_channels=[64, 128, 320, 512],
        channels=32,
        audio_channels=128,
        embed_dims=embed_dims,
        num_queries=num_queries,
        memory_levels=(1, 2, 3),
        learnable_queries=True,
        num_pos_feats=embed_dims // 2,
        query_generator=dict(
            type='AudioQueryGenerator',
            embed_dims=embed_dims,
            num_layers=6,
            num_heads=8,
            ffn_channels=1024),
        encoder=dict(
            type='DeformableTransformerEncoder',
            num_layers=6,
            embed_dims=embed_dims,
            num_heads=8,
            num_points=4,
            ffn_channels=2048,
            dropout=0.1),
        decoder=dict(
            type='QueryTransformerDecoder',
            num_layers=6,
            embed_dims=embed_dims,
            num_heads=8,
            ffn_channels=2048,
            dropout=0.1),
        mixer=dict(type='CrossModalMixer', embed_dims=embed_dims, num_heads=8),
        num_classes=2,
        out_channels=1,
        threshold=0.5,
        align_corners=False,
        loss_decode=dict(type='FrameDiceLoss', loss_name='loss_dice'),
        loss_mix=dict(
            type='FrameDiceLoss', loss_weight=0.1, loss_name='loss_mix')),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
