# Copyright (c) mmavs contributors. All rights reserved.
"""Compare mmavs' linear TPAVI with the official quadratic formulation.

One :class:`TPAVIBlock` (default: stage 1 of a 224x224 input, C=256, 56x56,
T=5, batch 4) runs forward and backward twice with the same weights and
inputs: as mmavs computes it (``theta (phi^T g) / N``, memory linear in
N = T*H*W) and as the official ``TPAVIModule`` does (the full (N, N) matrix
``theta^T phi / N``, :func:`mmavs.testing.quadratic_tpavi`). Both attention
kinds are measured; in the official code both are quadratic:

- ``audio``: keys are the projected audio, tiled over H and W (TPAVI).
- ``video``: keys are the video itself (``video_attention=True``, the
  official ``tpavi_vv``).

Reports time per forward+backward (mean ± std) and peak memory of each form
and their ratios, and the largest output and input-gradient differences
between the two and from a float64 run of the linear form (the rounding
error of each). Exits with an error, after the table, when the two float32
outputs differ by ``--tolerance`` or more.
"""
import argparse
import copy
from typing import Callable, Dict, List, Optional

import torch
from torch import Tensor

from mmavs.models.fusion import TPAVIBlock
from mmavs.testing import quadratic_tpavi
from mmavs.utils.profiling import (PeakMemory, markdown_table, mean_std,
                                   time_runs)

KEYS = dict(audio='audio, tiled over HxW', video='video (tpavi_vv)')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--channels', type=int, default=256, help='C')
    parser.add_argument(
        '--size', type=int, nargs=2, default=(56, 56), metavar=('H', 'W'))
    parser.add_argument('--num-frames', type=int, default=5, help='T')
    parser.add_argument('--batch-size', type=int, default=4, help='clips')
    parser.add_argument('--audio-channels', type=int, default=128)
    parser.add_argument(
        '--attention',
        nargs='+',
        choices=sorted(KEYS),
        default=sorted(KEYS),
        help='attention kinds to measure')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--iters', type=int, default=1)
    parser.add_argument(
        '--tolerance',
        type=float,
        default=1e-5,
        help='largest output difference accepted (float32)')
    return parser.parse_args(argv)


def forward_backward(fn: Callable[[], Tensor], x: Tensor,
                     grad_out: Tensor) -> Tensor:
    """Run ``fn``, backpropagate ``grad_out``; return the output."""
    x.grad = None
    out = fn()
    out.backward(grad_out)
    return out.detach()


def compare(block: TPAVIBlock, x: Tensor, audio: Optional[Tensor],
            args) -> Dict[str, dict]:
    """Time, memory, and output and input-gradient errors against a float64
    run of the linear form, of both formulations."""
    grad_out = torch.randn_like(x)
    block64, x64 = copy.deepcopy(block).double(), x.detach().double()
    x64.requires_grad_(True)
    audio64 = None if audio is None else audio.double()
    out64 = forward_backward(lambda: block64(x64, audio64)[0], x64,
                             grad_out.double())
    impls = dict(
        linear=lambda: block(x, audio)[0],
        quadratic=lambda: quadratic_tpavi(block, x, audio))
    results = {}
    for name, fn in impls.items():
        out = forward_backward(fn, x, grad_out)
        results[name] = dict(
            out=out,
            grad=x.grad.clone(),
            out_err=(out - out64).abs().max().item(),
            grad_err=(x.grad - x64.grad).abs().max().item())
        del out
        with PeakMemory(args.device) as memory:
            results[name]['times'] = time_runs(
                lambda: forward_backward(fn, x, grad_out), args.device,
                args.warmup, args.repeat, args.iters)
        results[name]['peak_mib'] = memory.peak_mib
    return results


def main(argv=None) -> Dict[str, dict]:
    args = parse_args(argv)
    b, c, t = args.batch_size, args.channels, args.num_frames
    h, w = args.size
    n = t * h * w
    rows, summary = [], {}
    for kind in args.attention:
        torch.manual_seed(0)
        block = TPAVIBlock(c, args.audio_channels).to(args.device)
        # the zero-initialised BN would hide the attention path
        torch.nn.init.normal_(block.W_z[1].weight)
        torch.nn.init.normal_(block.W_z[1].bias)
        x = torch.randn(b, c, t, h, w, device=args.device, requires_grad=True)
        audio = (
            torch.randn(b, t, args.audio_channels, device=args.device)
            if kind == 'audio' else None)
        res = compare(block, x, audio, args)
        lin, quad = res['linear'], res['quadratic']
        summary[kind] = dict(
            max_abs_diff=(lin['out'] - quad['out']).abs().max().item(),
            grad_max_abs_diff=(lin['grad'] - quad['grad']).abs().max().item())
        for name, matrix in (('linear', block.inter_channels),
                             ('quadratic', n)):
            r = res[name]
            summary[kind][name] = {
                k: r[k]
                for k in ('times', 'peak_mib', 'out_err', 'grad_err')
            }
            rows.append((KEYS[kind], name, f'({matrix}, {matrix})',
                         mean_std(r['times'], '.4f'), _mib(r['peak_mib']),
                         f"{r['out_err']:.1e}", f"{r['grad_err']:.1e}"))
        rows.append(
            (KEYS[kind], 'quadratic / linear', '',
             f"{_mean(quad['times']) / _mean(lin['times']):.1f}x",
             _ratio(quad['peak_mib'], lin['peak_mib']),
             f"{summary[kind]['max_abs_diff']:.1e}",
             f"{summary[kind]['grad_max_abs_diff']:.1e}"))
    device = (
        torch.cuda.get_device_name(args.device)
        if torch.device(args.device).type == 'cuda' else
        f'CPU, {torch.get_num_threads()} threads')
    print(f'TPAVIBlock C={c}, T={t}, HxW={h}x{w}, batch {b}, float32, '
          f'forward+backward, {device}; mean ± std over {args.repeat} runs '
          f'of {args.iters} after {args.warmup} warm-up; peak memory above '
          'the inputs and weights. Errors: largest absolute difference from '
          'a float64 run (output, input gradient); on the ratio rows, '
          'between the two float32 forms.\n')
    print(
        markdown_table(('keys', 'implementation', 'matrix per clip',
                        's / fwd+bwd', 'peak MiB', 'max abs err (out)',
                        'max abs err (grad)'), rows))
    bad = {
        k: v['max_abs_diff']
        for k, v in summary.items() if v['max_abs_diff'] >= args.tolerance
    }
    if bad:
        raise SystemExit(
            f'the float32 outputs of the two forms differ by {bad}, not less '
            f'than --tolerance {args.tolerance:g}; see in the table how far '
            'each form is from the float64 result')
    return summary


def _mean(values: List[float]) -> float:
    return sum(values) / len(values)


def _mib(value: Optional[float]) -> str:
    return 'n/a' if value is None else f'{value:.0f}'


def _ratio(num: Optional[float], den: Optional[float]) -> str:
    if num is None or den is None or den <= 0:
        return 'n/a'
    return f'{num / den:.1f}x'


if __name__ == '__main__':
    main()
