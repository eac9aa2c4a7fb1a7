# The quick-start model (tools/quickstart.sh): the small synthetic TPAVI
# model with CAVP's per-frame cross-attention f_CA (AVCrossAttention) in
# place of TPAVI on the four ASPP levels. The synthetic MS3 clips change
# their sounding objects from second to second; TPAVI gives every pixel one
# context from the audio of all T frames and cannot tell which second is
# sounding, f_CA lets each frame's positions attend to that frame's audio.
# BCE plus AVSegFormer's per-frame Dice: BCE alone under-segments the small
# objects (most pixels are background). Seeded and deterministic, no
# data-loading workers.
_base_ = './tpavi_r18-tiny_1xb4-40e_synthetic-ms3-96x96.py'
width = 32
model = dict(
    fusion=dict(
        _delete_=True,
        type='AVCrossAttention',
        in_channels=width,
        stages=(0, 1, 2, 3),
        audio_channels=128,
        embed_dims=width,
        num_heads=1),
    decode_head=dict(loss_decode=[
        dict(
            type='mmseg.CrossEntropyLoss',
            use_sigmoid=True,
            avg_non_ignore=True,
            loss_weight=1.0),
        dict(type='FrameDiceLoss', loss_weight=1.0)
    ]))
train_dataloader = dict(num_workers=0, persistent_workers=False)
val_dataloader = dict(num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader
# constant lr (Adam 1e-3, as the TPAVI tiny config); validation once, at the end
train_cfg = dict(max_epochs=20, val_interval=20)
randomness = dict(seed=0, deterministic=True)
