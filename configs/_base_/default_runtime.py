default_scope = 'mmavs'
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='AVSLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
# exact resume (random states in checkpoints, per-epoch worker seeds); a
# config that sets custom_hooks must keep it
custom_hooks = [dict(type='RandomStateHook')]
