# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from torch import Tensor


class ClassAudioBank(nn.Module):
    """Per-class memory bank of audio inputs for CAVP's re-pairing.

    Appendix B.1 of `Unraveling Instance Associations: A Closer Look for
    Audio-Visual Segmentation <https://arxiv.org/abs/2304.02970>`_: "a memory
    bank stores raw waveform data for each class; during training, negative
    pairs are proportionally moved to the positive set by pairing positive
    audio with respect to the image label". As the official code does, each
    class keeps a FIFO of the last ``size`` audio clips of frames that hear
    that class alone; of the re-paired frames whose new audio does not match
    their own labels, a random ``replace_fraction`` is drawn, and those of
    them that hear exactly one class get a stored clip of that class
    instead (the pair becomes a positive one).

    The bank stores the audio backbone's *inputs* (e.g. log-mel of shape
    (C, frames, 64)): the front end is a fixed function of the waveform, so
    this equals storing the waveform and recomputing the features. A stored
    clip is drawn at random (``torch.randint``, seeded by
    ``torch.manual_seed``); classes with no clip yet are skipped (the
    official bank starts as zeros, i.e. silence). The clips are part of the
    module's state dict, as two tensors (``classes`` (N,) int64, the class
    of each stored clip, and ``clips`` (N, ...), class by class, oldest
    first), so checkpoints carry the bank, a resumed run continues with it,
    and mmengine's broadcast of the state dict at start-up works (it takes
    tensors only); a state dict without them (weights only, e.g. a
    converted release) loads, also strictly, as an empty bank. Each process
    keeps its own bank (not synchronised).

    Args:
        size (int): Clips kept per class. Defaults to 16 (the batch size,
            as in the official code).
        replace_fraction (float): Share of the mismatched re-paired frames
            drawn for replacement (``ow_rate``). Defaults to 0.5.
    """

    def __init__(self, size: int = 16, replace_fraction: float = 0.5) -> None:
        if not isinstance(size, int) or size < 1:
            raise ValueError(f'memory bank size must be a positive int, got '
                             f'{size!r}')
        if not 0 <= replace_fraction <= 1:
            raise ValueError('memory bank replace_fraction must be in [0, 1], '
                             f'got {replace_fraction}')
        super().__init__()
        self.size = size
        self.replace_fraction = replace_fraction
        self.clips: Dict[int, Tensor] = {}

    def _save_to_state_dict(self, destination: dict, prefix: str,
                            keep_vars: bool) -> None:
        """Store the clips as ``classes`` and ``clips``."""
        destination[prefix + 'classes'] = torch.tensor(
            [c for c, clips in self.clips.items() for _ in clips],
            dtype=torch.int64)
        destination[prefix + 'clips'] = torch.cat(list(
            self.clips.values())) if self.clips else torch.zeros(0)

    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              local_metadata: dict, strict: bool,
                              missing_keys: List[str],
                              unexpected_keys: List[str],
                              error_msgs: List[str]) -> None:
        """Restore the clips stored by :meth:`_save_to_state_dict`."""
        keys = [prefix + 'classes', prefix + 'clips']
        missing = [k for k in keys if k not in state_dict]
        if len(missing) == len(keys):  # weights only: an empty bank
            self.clips = {}
            return
        if missing:
            missing_keys.extend(missing)
            return
        classes, clips = (state_dict[k] for k in keys)
        self.clips = {
            int(c): clips[classes == c]
            for c in dict.fromkeys(classes.tolist())
        }

    def __len__(self) -> int:
        """Number of stored clips over all classes."""
        return sum(len(c) for c in self.clips.values())

    def push(self, inputs: Tensor, labels: Sequence[Sequence[int]]) -> None:
        """Store the clips of the frames that hear a single class.

        Args:
            inputs (Tensor): Audio inputs of shape (N, ...).
            labels (Sequence[Sequence[int]]): The N frames' audio classes.
        """
        for clip, heard in zip(inputs.detach(), labels):
            if len(heard) != 1:
                continue
            cls = heard[0]
            old = self.clips.get(cls, clip.new_empty((0, *clip.shape)))
            self.clips[cls] = torch.cat([old.to(clip),
                                         clip[None]])[-self.size:]

    def draw(self, heard: Sequence[tuple],
             pairs: Sequence[tuple]) -> Tuple[List[int], Optional[Tensor]]:
        """Pick re-paired frames to receive a stored clip of their class.

        Args:
            heard (Sequence[tuple]): Each frame's own audio classes.
            pairs (Sequence[tuple]): The audio classes of the audio each
                frame is re-paired with.

        Returns:
            tuple[list[int], Tensor | None]: The chosen frame indices and
            their drawn clips (len, ...), None if no frame is chosen.
        """
        mismatched = [i for i, (t, p) in enumerate(zip(heard, pairs))
                      if t != p]
        order = torch.randperm(len(mismatched))
        order = order[:int(len(mismatched) * self.replace_fraction)]
        chosen, clips = [], []
        for j in order.tolist():
            i = mismatched[j]
            if len(heard[i]) != 1 or heard[i][0] not in self.clips:
                continue
            stored = self.clips[heard[i][0]]
            chosen.append(i)
            clips.append(stored[torch.randint(len(stored), ()).item()])
        return chosen, torch.stack(clips) if clips else None
