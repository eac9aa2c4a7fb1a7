# Copyright (c) mmavs contributors. All rights reserved.
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmengine.structures import BaseDataElement
from prettytable import PrettyTable
from torch import Tensor

from mmavs.registry import METRICS
from ..functional import (avss_frame_scores, avss_j_and_f, class_pixel_counts,
                          class_scores, mask_jaccard, video_fscore)


@METRICS.register_module()
class AVSSMetric(BaseMetric):
    """Multi-class AVS metrics: mIoU, F-beta, FDR and the official AVSS J & F.

    `Unraveling Instance Associations: A Closer Look for Audio-Visual
    Segmentation <https://arxiv.org/abs/2304.02970>`_ (Sec. 5.1) reports
    over classes (background included):

    - ``mIoU``: mmseg's definition, per-class TP / (TP + FP + FN) from pixel
      counts summed over the whole set, averaged over the classes that occur
      in prediction or ground truth (the CAVP code instead gives absent
      classes 0 and averages over all K).
    - ``mFscore``: per-class F-beta (beta^2 = 0.3) of the set-level precision
      and recall, NaN-mean over classes (as CAVP's ``ForegroundDetect``).
    - ``mFDR``: per-class false detection rate FP / (FP + TP), NaN-mean.
    - ``J`` and ``F``: the official AVSBench-Semantics numbers (Table 1),
      per-frame class IoU / F averaged over the frames where the class
      occurs, then over all K classes
      (:func:`mmavs.evaluation.functional.avss_j_and_f`). The official test
      loop also scores the black frames it pads 5-frame clips with, as
      all-background frames: with ``score_padded_frames`` the frames that
      :class:`AVSPadClip` added (``padded=True``) are scored the same way
      (ground truth ``background_index``, prediction as the model gives
      it: the segmentor zeroes their logits, so background), in every
      metric; otherwise each clip has its own frames only.

    Evaluation-protocol options (both as the CAVP code computes them,
    ``utils/eval_utils.py`` and ``utils/avsbench_utils.py`` of `cyh-0/CAVP
    <https://github.com/cyh-0/CAVP>`_):

    - ``miou_average='all'``: the per-dataset mIoU of CAVP's ``MIoU`` (the
      "dataset-level" table of its README): the mean over all K classes,
      a class never predicted nor labelled counting 0.
    - ``object_jf=True``: the AVSBench-Object protocol of CAVP's
      ``test_avss_resize.py`` (the "instance-level" SS / MS table) for
      2-class models: ``mJ``, per frame the Jaccard index of the argmax
      (``mask_iou``) averaged over the clip's labelled frames, then over
      clips; ``mF``, per clip the F-measure of the softmax foreground
      probability (``Eval_Fmeasure``: 255 thresholds, beta^2 = ``beta2``),
      averaged over clips (:func:`mask_jaccard`, :func:`video_fscore`).
      Needs ``seg_logits`` (K = 2) in the data samples.

    All values are fractions in [0, 1]. Frames whose ground truth is all
    ``ignore_index`` are skipped; ignored pixels of other frames are left
    out. Each batch must hold whole clips (``avs_collate`` does), and one
    result per clip is stored (mmengine keeps ``len(dataset)`` results).
    The class-wise table (IoU, Fscore, FDR, J, F in %) is logged.

    Args:
        ignore_index (int): Ignored ground-truth value. Defaults to 255.
        beta2 (float): beta^2 of F-beta and F. Defaults to 0.3.
        score_padded_frames (bool): Score padded frames as all-background
            frames, as the official AVSS test. Defaults to False.
        background_index (int): Background class. Defaults to 0.
        miou_average (str): ``'present'`` (mmseg: classes in prediction or
            ground truth) or ``'all'`` (CAVP: all K). Defaults to
            ``'present'``.
        object_jf (bool): Add the AVSBench-Object ``mJ`` and ``mF``.
            Defaults to False.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
            Defaults to None.
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 ignore_index: int = 255,
                 beta2: float = 0.3,
                 score_padded_frames: bool = False,
                 background_index: int = 0,
                 miou_average: str = 'present',
                 object_jf: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if miou_average not in ('present', 'all'):
            raise ValueError("AVSSMetric miou_average must be 'present' or "
                             f"'all', got {miou_average!r}")
        self.ignore_index = ignore_index
        self.beta2 = beta2
        self.score_padded_frames = score_padded_frames
        self.background_index = background_index
        self.miou_average = miou_average
        self.object_jf = object_jf

    @property
    def num_classes(self) -> int:
        if not self.dataset_meta or 'classes' not in self.dataset_meta:
            raise KeyError('AVSSMetric needs dataset_meta with "classes" '
                           '(set by the evaluator from the dataset).')
        return len(self.dataset_meta['classes'])

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Score the frames of one batch, one result per clip.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Per-frame outputs with
                ``pred_sem_seg.data`` and ``gt_sem_seg.data`` (1, H, W) and
                ``clip_name``, ``num_frames``.
        """
        clips: Dict[str, List[dict]] = OrderedDict()
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            for key in ('clip_name', 'num_frames'):
                if key not in sample:
                    raise KeyError(f'AVSSMetric: a frame lacks the meta key '
                                   f'{key!r}.')
            clips.setdefault(sample['clip_name'], []).append(sample)
        for name, frames in clips.items():
            if len(frames) != frames[0]['num_frames']:
                raise ValueError(
                    f'AVSSMetric: batch holds {len(frames)} of the '
                    f"{frames[0]['num_frames']} frames of clip {name!r}; "
                    'batches must hold whole clips (use avs_collate).')
            self.results.append(self._clip_result(name, frames))

    def _clip_result(self, name: str, frames: List[dict]) -> dict:
        """Summed pixel counts and per-frame official scores of a clip."""
        K = self.num_classes
        totals = [torch.zeros(K, dtype=torch.int64) for _ in range(3)]
        per_frame, fg_probs, fg_gts = [], [], []
        for frame in frames:
            pred = frame['pred_sem_seg']['data'].cpu()
            gt = frame['gt_sem_seg']['data'].cpu()
            if pred.shape != gt.shape:
                raise ValueError(
                    f'AVSSMetric: frame {frame.get("img_path", name)} has '
                    f'pred_sem_seg {tuple(pred.shape)} but gt_sem_seg '
                    f'{tuple(gt.shape)}.')
            if self.score_padded_frames and frame.get('padded', False):
                gt = torch.full_like(gt, self.background_index)
            if bool((gt == self.ignore_index).all()):
                continue  # unlabelled frame
            if self.object_jf:
                fg_probs.append(self._foreground_prob(frame, gt))
                fg_gts.append(gt[0])
            counts = class_pixel_counts(pred, gt, K, self.ignore_index)
            totals = [t + c for t, c in zip(totals, counts)]
            per_frame.append(avss_frame_scores(*counts, beta2=self.beta2))
        if per_frame:
            iou, fscore, present = (
                torch.stack(x).numpy() for x in zip(*per_frame))
        else:
            iou = fscore = np.zeros((0, K), dtype=np.float32)
            present = np.zeros((0, K), dtype=bool)
        result = dict(
            clip_name=name,
            counts=[t.numpy() for t in totals],
            iou=iou,
            fscore=fscore,
            present=present)
        if self.object_jf and fg_probs:
            prob, gt = torch.stack(fg_probs), torch.stack(fg_gts)
            result.update(
                object_j=float(mask_jaccard(prob, gt).mean()),
                object_f=video_fscore(prob, gt, beta2=self.beta2))
        return result

    def _foreground_prob(self, frame: dict, gt: Tensor) -> Tensor:
        """Softmax probability (H, W) of class 1 of a 2-class frame."""
        logits = frame.get('seg_logits', {}).get('data')
        where = frame.get('img_path', frame['clip_name'])
        if logits is None or logits.shape[0] != 2:
            raise ValueError(
                f'AVSSMetric(object_jf=True): frame {where} needs the '
                '2-class seg_logits (K, H, W) of a background/foreground '
                'model, got ' +
                ('none' if logits is None else str(tuple(logits.shape))))
        if bool((gt == self.ignore_index).any()):
            raise ValueError(f'AVSSMetric(object_jf=True): frame {where} has '
                             'ignored pixels; the AVSBench-Object protocol '
                             'scores whole binary masks')
        return logits.float().cpu().softmax(0)[1]

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Compute the metrics from the per-clip results.

        Args:
            results (list[dict]): One dict per clip.

        Returns:
            dict[str, float]: ``mIoU``, ``mFscore``, ``mFDR``, ``J``, ``F``.
        """
        iou = np.concatenate([r['iou'] for r in results])
        if len(iou) == 0:
            raise ValueError(f'AVSSMetric: none of the {len(results)} clips '
                             'has a labelled frame.')
        inter, pred_area, gt_area = (
            sum(r['counts'][i] for r in results) for i in range(3))
        scores = class_scores(inter, pred_area, gt_area, self.beta2)
        j_mean, f_mean, j, f = avss_j_and_f(
            torch.from_numpy(iou).float(),
            torch.from_numpy(np.concatenate([r['fscore']
                                             for r in results])).float(),
            torch.from_numpy(np.concatenate([r['present']
                                             for r in results])).bool())
        self._log_table(scores, j.numpy(), f.numpy())
        metrics = OrderedDict(
            (f'm{k}', _nanmean(v)) for k, v in scores.items())
        if self.miou_average == 'all':
            metrics['mIoU'] = float(np.nan_to_num(scores['IoU']).mean())
        metrics.update(J=j_mean, F=f_mean)
        if self.object_jf:
            scored = [r for r in results if 'object_j' in r]
            metrics.update(
                mJ=float(np.mean([r['object_j'] for r in scored])),
                mF=float(np.mean([r['object_f'] for r in scored])))
        return metrics

    def _log_table(self, scores: Dict[str, np.ndarray], j: np.ndarray,
                   f: np.ndarray) -> None:
        """Log the per-class scores in % (NaN = class absent)."""
        table = PrettyTable()
        table.add_column('Class', list(self.dataset_meta['classes']))
        for key, values in (*scores.items(), ('J', j), ('F', f)):
            table.add_column(key, [f'{100 * v:.2f}' for v in values])
        logger: MMLogger = MMLogger.get_current_instance()
        print_log('per class results:', logger)
        print_log('\n' + table.get_string(), logger=logger)


def _nanmean(values: np.ndarray) -> float:
    """Mean of the non-NaN values; NaN if there are none."""
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else float('nan')
