# Copyright (c) mmavs contributors. All rights reserved.
import json
import math
import os.path as osp
from collections import Counter, OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmengine.structures import BaseDataElement
from mmengine.utils import mkdir_or_exist
from PIL import Image
from prettytable import PrettyTable
from torch import Tensor

from mmavs.registry import METRICS
from ..functional import (mask_jaccard, threshold_counts,
                          video_fscore_from_counts)

_META_KEYS = ('clip_name', 'frame_index', 'num_frames')


@METRICS.register_module()
class AVSMetric(BaseMetric):
    """AVSBench J & F metrics (official protocol) and foreground IoU.

    `Audio-Visual Segmentation <https://arxiv.org/abs/2207.05042>`_ scores a
    model with the mean Jaccard index over frames (``mJ``, the official
    ``mask_iou``: ``sigmoid(logits) > 0.5``) and the mean over clips of the
    clip F-measure (``mF``, the official ``Eval_Fmeasure``: F curves over 255
    thresholds averaged over the clip's non-empty frames, then the maximum);
    see :mod:`mmavs.evaluation.functional`. ``fIoU`` is mmseg-style foreground
    IoU: total intersection / total union over all labelled pixels of the
    dataset, with the prediction ``sigmoid(logits) > threshold``. All three
    are fractions in [0, 1] (the paper reports J = .728, not 72.8).

    A dataset item is a clip: ``process`` receives a flat list of frames
    (``avs_collate`` order) and stores one result per complete clip, which is
    what mmengine's ``collect_results`` expects (it keeps ``len(dataset)``
    results). Frames of a clip may arrive in several batches and in any
    order; they are grouped by ``clip_name`` and the clip is stored once all
    ``num_frames`` frames are in. Frames whose ground truth is all
    ``ignore_index`` (unlabelled) are skipped by every metric; a clip whose
    labelled frames all have empty masks has F = 0 (official), a clip with no
    labelled frame is left out of ``mF``. Only per-frame pixel counts are
    kept while a clip is incomplete, never the logits.

    Args:
        threshold (float): Probability threshold of the binary mask used by
            ``fIoU`` and the saved PNGs (J always uses the official 0.5).
            Defaults to 0.5.
        ignore_index (int): Ground-truth value of unlabelled pixels. A frame
            must be either fully unlabelled or binary. Defaults to 255.
        num_thresholds (int): Number of F-measure thresholds.
            Defaults to 255 (official).
        beta2 (float): beta^2 of the F-measure. Defaults to 0.3 (official).
        output_dir (str, optional): If set, the binary prediction of every
            frame is written as a 0/255 PNG to
            ``output_dir/<clip_name>/<image file stem>.png``.
            Defaults to None.
        format_only (bool): Only write the PNGs (ground truth not needed) and
            return an empty dict. Requires ``output_dir``. Defaults to False.
        keep_results (bool): Keep the per-clip scores of the last evaluation
            in ``self.clip_results`` (list of dicts with ``clip_name``,
            ``num_labelled_frames``, ``J`` (mean over the clip's labelled
            frames) and ``F``) and, if ``output_dir`` is set, write them to
            ``output_dir/clip_results.json``. Defaults to False.
        collect_device (str): Device used to collect results across ranks,
            'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): Prefix of the metric names. Defaults to None.
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 threshold: float = 0.5,
                 ignore_index: int = 255,
                 num_thresholds: int = 255,
                 beta2: float = 0.3,
                 output_dir: Optional[str] = None,
                 format_only: bool = False,
                 keep_results: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0.0 <= threshold <= 1.0:
            raise ValueError('AVSMetric: `threshold` is a probability in '
                             f'[0, 1], got {threshold}')
        if format_only and output_dir is None:
            raise ValueError('AVSMetric: `format_only=True` needs '
                             '`output_dir` to write the predictions to')
        self.threshold = threshold
        self.ignore_index = ignore_index
        self.num_thresholds = num_thresholds
        self.beta2 = beta2
        self.output_dir = output_dir
        self.format_only = format_only
        self.keep_results = keep_results
        self.clip_results: List[dict] = []
        # clip_name -> (num_frames, {frame_index: frame stats}) of the clips
        # whose frames are not all in yet
        self._pending: Dict[str, Tuple[int, Dict[int, dict]]] = {}
        if output_dir is not None and is_main_process():
            mkdir_or_exist(output_dir)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Process the frames of one batch.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Per-frame model outputs
                (``SegDataSample.to_dict()``), each with ``seg_logits.data``
                (1, H, W) foreground probabilities (mmseg's
                ``postprocess_result`` stores ``sigmoid(logits)`` there for a
                one-channel head), ``gt_sem_seg.data`` (1, H, W)
                with 0/1 and ``ignore_index`` (unless ``format_only``), and
                ``clip_name``, ``frame_index``, ``num_frames``, ``img_path``.
        """
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            meta = self._get_meta(sample)
            prob = self._get_map(sample, 'seg_logits').float()
            if prob.numel() and (prob.min() < 0 or prob.max() > 1):
                raise ValueError(
                    f'AVSMetric: frame {self._frame_name(sample)} has '
                    'seg_logits outside [0, 1]; expected the sigmoid '
                    'probabilities of a one-channel head (mmseg stores them '
                    'there)')
            if self.output_dir is not None:
                self._save_mask(prob, sample, meta)
            if self.format_only:
                continue
            gt = self._get_map(sample, 'gt_sem_seg')
            if gt.shape != prob.shape:
                raise ValueError(
                    f'AVSMetric: frame {self._frame_name(sample)} has '
                    f'seg_logits of shape {tuple(prob.shape)} but gt_sem_seg '
                    f'of shape {tuple(gt.shape)}')
            self._add_frame(meta, self._frame_stats(prob, gt, sample))

    def evaluate(self, size: int) -> dict:
        """Check that every clip is complete, then evaluate (see
        :meth:`mmengine.evaluator.BaseMetric.evaluate`)."""
        if self._pending:
            missing = {
                name: sorted(frames)
                for name, (_, frames) in self._pending.items()
            }
            self._pending.clear()
            raise ValueError('AVSMetric: clips with missing frames at '
                             f'evaluation (clip: frame indices seen): '
                             f'{missing}')
        return super().evaluate(size)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Compute mJ, mF and fIoU from the per-clip results.

        Args:
            results (list[dict]): One dict per clip, made by ``process``.

        Returns:
            dict[str, float]: ``mJ``, ``mF`` and ``fIoU`` in [0, 1]; ``fIoU``
            is NaN if neither prediction nor ground truth has a foreground
            pixel. Empty if ``format_only``.
        """
        logger: MMLogger = MMLogger.get_current_instance()
        if self.format_only:
            print_log(f'AVSMetric: predictions saved to {self.output_dir}',
                      logger)
            return OrderedDict()
        counts = Counter(clip['clip_name'] for clip in results)
        repeated = sorted(name for name, n in counts.items() if n > 1)
        if repeated:
            raise ValueError(f'AVSMetric: clips evaluated twice: {repeated}')
        clips = [clip for clip in results if clip['jaccard']]
        if not clips:
            raise ValueError(
                f'AVSMetric: none of the {len(results)} clips has a labelled '
                'frame; use format_only=True to only save predictions')
        jaccards = [j for clip in clips for j in clip['jaccard']]
        union = sum(clip['union'] for clip in clips)
        intersect = sum(clip['intersect'] for clip in clips)
        metrics = OrderedDict(
            mJ=math.fsum(jaccards) / len(jaccards),
            mF=math.fsum(clip['fscore'] for clip in clips) / len(clips),
            fIoU=intersect / union if union > 0 else float('nan'))
        self._log_table(metrics, len(clips), len(jaccards), logger)
        if self.keep_results:
            self._keep_clip_results(clips)
        return metrics

    def _get_meta(self, sample: dict) -> dict:
        """Clip meta of a frame; raise if a key is missing or inconsistent."""
        for key in _META_KEYS:
            if key not in sample:
                raise KeyError(f'AVSMetric: frame {self._frame_name(sample)} '
                               f'lacks the meta key {key!r}')
        meta = {key: sample[key] for key in _META_KEYS}
        if not 0 <= meta['frame_index'] < meta['num_frames']:
            raise ValueError(
                f'AVSMetric: frame {self._frame_name(sample)} has frame_index '
                f'{meta["frame_index"]} outside [0, {meta["num_frames"]})')
        return meta

    def _get_map(self, sample: dict, key: str) -> Tensor:
        """The (H, W) map ``sample[key]['data']`` of a frame."""
        if key not in sample or 'data' not in sample[key]:
            raise KeyError(f'AVSMetric: frame {self._frame_name(sample)} '
                           f'lacks {key!r} (with a "data" tensor)')
        data = sample[key]['data']
        if data.dim() != 3 or data.size(0) != 1:
            raise ValueError(
                f'AVSMetric: {key!r} of frame {self._frame_name(sample)} '
                f'must have shape (1, H, W), got {tuple(data.shape)}')
        return data[0]

    @staticmethod
    def _frame_name(sample: dict) -> str:
        """A name of the frame for error messages."""
        if 'img_path' in sample:
            return repr(sample['img_path'])
        return (f'{sample.get("frame_index", "?")} of clip '
                f'{sample.get("clip_name", "?")!r}')

    def _frame_stats(self, prob: Tensor, gt: Tensor, sample: dict) -> dict:
        """Small per-frame statistics, ``None`` for an unlabelled frame.

        Args:
            prob (Tensor): Foreground probabilities with shape (H, W).
            gt (Tensor): Ground truth with shape (H, W).
            sample (dict): The frame, for error messages.
        """
        ignored = gt == self.ignore_index
        if bool(ignored.all()):
            return None
        if bool(ignored.any()):
            raise ValueError(
                f'AVSMetric: frame {self._frame_name(sample)} is partly '
                f'labelled (some but not all pixels are {self.ignore_index}); '
                'J and F need a fully labelled or fully unlabelled frame')
        if not bool(((gt == 0) | (gt == 1)).all()):
            raise ValueError(
                f'AVSMetric: gt_sem_seg of frame {self._frame_name(sample)} '
                f'has values {torch.unique(gt).tolist()}; expected 0, 1 or '
                f'{self.ignore_index}')
        tp, pred_sum, gt_sum = threshold_counts(prob[None], gt[None],
                                                self.num_thresholds)
        pred = prob > self.threshold
        target = gt.bool()
        return dict(
            jaccard=mask_jaccard(prob[None], gt[None]).item(),
            tp=tp[0],
            pred_sum=pred_sum[0],
            gt_sum=gt_sum[0],
            intersect=int((pred & target).sum()),
            union=int((pred | target).sum()))

    def _add_frame(self, meta: dict, stats: Optional[dict]) -> None:
        """Buffer a frame; store its clip once all frames are in."""
        name, index = meta['clip_name'], meta['frame_index']
        num_frames, frames = self._pending.setdefault(
            name, (meta['num_frames'], {}))
        if num_frames != meta['num_frames']:
            raise ValueError(
                f'AVSMetric: frames of clip {name!r} disagree on num_frames '
                f'({num_frames} and {meta["num_frames"]})')
        if index in frames:
            raise ValueError(f'AVSMetric: frame {index} of clip {name!r} was '
                             'processed twice before the clip was complete')
        frames[index] = stats
        if len(frames) == num_frames:
            del self._pending[name]
            self.results.append(self._clip_result(name, frames))

    def _clip_result(self, name: str, frames: Dict[int, dict]) -> dict:
        """One clip's result: J of its labelled frames, its F, fIoU counts."""
        labelled = [frames[i] for i in sorted(frames) if frames[i] is not None]
        result = dict(
            clip_name=name,
            jaccard=[frame['jaccard'] for frame in labelled],
            fscore=None,
            intersect=sum(frame['intersect'] for frame in labelled),
            union=sum(frame['union'] for frame in labelled))
        if labelled:
            result['fscore'] = video_fscore_from_counts(
                torch.stack([frame['tp'] for frame in labelled]),
                torch.stack([frame['pred_sum'] for frame in labelled]),
                torch.stack([frame['gt_sum'] for frame in labelled]),
                self.beta2)
        return result

    def _save_mask(self, prob: Tensor, sample: dict, meta: dict) -> None:
        """Write ``prob > threshold`` as a 0/255 PNG named after the image."""
        if 'img_path' not in sample:
            raise KeyError(f'AVSMetric: frame {meta["frame_index"]} of clip '
                           f'{meta["clip_name"]!r} lacks the meta key '
                           "'img_path' needed to name its PNG")
        clip_dir = osp.join(self.output_dir, meta['clip_name'])
        mkdir_or_exist(clip_dir)
        stem = osp.splitext(osp.basename(sample['img_path']))[0]
        mask = (prob > self.threshold).cpu().numpy().astype(np.uint8) * 255
        # a 2-D uint8 array becomes an 8-bit grayscale ('L') image
        Image.fromarray(mask).save(osp.join(clip_dir, f'{stem}.png'))

    def _log_table(self, metrics: dict, num_clips: int, num_frames: int,
                   logger: MMLogger) -> None:
        """Log the metrics as a one-row table."""
        table = PrettyTable()
        for key, value in metrics.items():
            table.add_column(key, [f'{value:.4f}'])
        table.add_column('clips', [num_clips])
        table.add_column('frames', [num_frames])
        print_log('AVSBench results:', logger)
        print_log('\n' + table.get_string(), logger=logger)

    def _keep_clip_results(self, clips: List[dict]) -> None:
        """Keep per-clip J and F, and write them if ``output_dir`` is set."""
        self.clip_results = [
            dict(
                clip_name=clip['clip_name'],
                num_labelled_frames=len(clip['jaccard']),
                J=math.fsum(clip['jaccard']) / len(clip['jaccard']),
                F=clip['fscore']) for clip in clips
        ]
        if self.output_dir is not None:
            path = osp.join(self.output_dir, 'clip_results.json')
            with open(path, 'w') as f:
                json.dump(self.clip_results, f, indent=2)
