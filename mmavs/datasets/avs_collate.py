# Copyright (c) mmavs contributors. All rights reserved.
from typing import Dict, List, Sequence

from mmavs.registry import FUNCTIONS


@FUNCTIONS.register_module()
def avs_collate(data_batch: Sequence[dict]) -> dict:
    """Collate packed clips without splitting them.

    Tensors are not stacked here; ``AVSDataPreprocessor`` stacks them.
    Configs use ``collate_fn=dict(type='mmavs.avs_collate')``.

    Args:
        data_batch (Sequence[dict]): B outputs of ``PackAVSInputs``, each
            ``{'inputs': {'imgs': Tensor (T, 3, H, W), 'audio': Tensor
            (T, ...)}, 'data_samples': [SegDataSample] * T}``.

    Returns:
        dict: ``{'inputs': {key: [B tensors]}, 'data_samples': [B * T
        SegDataSample]}``, samples clip-major (clip 0 frames 0..T-1, clip 1
        frames 0..T-1, ...).
    """
    if len(data_batch) == 0:
        raise ValueError('avs_collate got an empty batch.')
    keys = tuple(data_batch[0]['inputs'])
    num_frames = len(data_batch[0]['data_samples'])
    inputs: Dict[str, List] = {key: [] for key in keys}
    data_samples: List = []
    for i, item in enumerate(data_batch):
        if tuple(item['inputs']) != keys:
            raise ValueError(
                f'avs_collate: clip {i} has inputs {tuple(item["inputs"])} '
                f'but clip 0 has {keys}.')
        T = len(item['data_samples'])
        if T != num_frames:
            raise ValueError(
                f'avs_collate: clips of a batch must have the same number of '
                f'frames T, but clip 0 has {num_frames} and clip {i} has {T}.')
        for key in keys:
            if item['inputs'][key].shape[0] != T:
                raise ValueError(
                    f"avs_collate: clip {i} has {T} data samples but "
                    f"inputs['{key}'] has {item['inputs'][key].shape[0]} "
                    'frames.')
            inputs[key].append(item['inputs'][key])
        data_samples.extend(item['data_samples'])
    return dict(inputs=inputs, data_samples=data_samples)
