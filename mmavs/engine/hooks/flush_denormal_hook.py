# Copyright (c) mmavs contributors. All rights reserved.
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmavs.registry import HOOKS
from mmavs.utils import set_flush_denormal


@HOOKS.register_module()
class FlushDenormalHook(Hook):
    """Flush denormal floats to zero on the CPU during a run.

    As a small model trains on CPU, more and more of its values fall below
    float32's normal range (about 1e-38), and every operation on them takes
    far longer: the quick-start model's iterations grew from 0.33 s to about
    0.9 s over 30 epochs on 2 cores. Flushing rounds them to zero, which
    changes results only below that range, on the main thread and on
    torch's intra-op threads (:func:`mmavs.utils.set_flush_denormal`). The
    default (no flushing) is restored after the run. CUDA ops are not
    affected.
    """
    priority = 'VERY_HIGH'

    def before_run(self, runner: Runner) -> None:
        """Turn flushing on; warn where some thread could not be set."""
        if not set_flush_denormal(True):
            runner.logger.warning(
                'FlushDenormalHook: denormals are not flushed on every CPU '
                'thread (the CPU cannot, or torch does not use libgomp); '
                'set torch.set_num_threads(1) to flush on the main thread.')

    def after_run(self, runner: Runner) -> None:
        """Restore the default: denormals kept."""
        set_flush_denormal(False)
