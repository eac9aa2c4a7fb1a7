# Copyright (c) mmavs contributors. All rights reserved.
import torch.nn as nn


def xavier_init_matrices(module: nn.Module) -> None:
    """Xavier-uniform initialisation of every parameter of ``module`` with
    more than one dimension (weight matrices and conv kernels), in
    ``module.parameters()`` order, as the DETR-style releases do."""
    for p in module.parameters():
        if p.dim() > 1:
            nn.init.xavier_uniform_(p)
