# The quick-start model (tools/quickstart.sh): the small synthetic TPAVI
# model with CAVP's per-frame cross-attention f_CA (AVCrossAttention) in
# place of TPAVI on the four ASPP levels. The synthetic MS3 clips change
# their sounding objects from second to second; TPAVI gives every pixel one
# context from the audio of all T frames and cannot tell which second is
# sounding, f_CA lets each frame's positions attend to that frame's audio.
# BCE plus AVSegFormer's per-frame Dice: BCE alone under-segments the small
# objects (most pixels are background). Made for 270 training clips
# (make_synthetic_avs.py --num-train 270, three times the default): on the
# default 90 for 30 epochs it overfitted (seeds 1 and 2: train mJ 0.92 and
# 0.89, test 0.78 and 0.75). 10 epochs of 270 clips are about as many
# iterations (680) as 30 of 90 (690). The decoder output is narrower (16
# and 8 channels instead of 32 and 16: its convs at 48x48 and 96x96 were
# the costliest layers) and denormals are flushed (FlushDenormalHook), so
# iterations stay cheap. Seeded and deterministic, no data-loading workers.
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
    decode_head=dict(
        mid_channels=16,
        channels=8,
        loss_decode=[
            {{_base_.model.decode_head.loss_decode}},
            dict(type='FrameDiceLoss', loss_weight=1.0)
        ]))
train_dataloader = dict(num_workers=0, persistent_workers=False)
val_dataloader = dict(num_workers=0, persistent_workers=False)
test_dataloader = val_dataloader
# Adam 1e-3 (the TPAVI tiny config) for 5 epochs, then cosine to 1e-5 over the
# last 5, per iteration: at a constant lr the last checkpoint is one draw of a
# swinging mJ. Validation once, at the end.
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        begin=5,
        end=10,
        by_epoch=True,
        convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=10, val_interval=10)
randomness = dict(seed=0, deterministic=True)
# denormals flushed: training no longer slows down as it goes
custom_hooks = [dict(type='RandomStateHook'), dict(type='FlushDenormalHook')]
