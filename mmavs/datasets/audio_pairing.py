# Copyright (c) mmavs contributors. All rights reserved.
"""Re-pair clips with the audio of other clips."""
from typing import AbstractSet, Optional, Sequence

import numpy as np

#: Greedy attempts of :func:`derangement` with classes before giving up.
MAX_TRIES = 1000


def derangement(n: int,
                rng: np.random.Generator,
                classes: Optional[Sequence[AbstractSet]] = None
                ) -> np.ndarray:
    """A random permutation with no fixed point: item ``i`` gets the audio
    of item ``perm[i] != i``.

    Without ``classes`` it is uniform over derangements (rejection
    sampling, about e draws). With ``classes`` (the set of sounding classes
    of each item), ``classes[perm[i]]`` and ``classes[i]`` must also be
    disjoint: targets in random order each take a random free source of
    other classes, restarting on a dead end.

    Args:
        n (int): Number of items, >= 2.
        rng (np.random.Generator): Random generator.
        classes (Sequence[AbstractSet], optional): Classes of each item.
            Defaults to None.

    Returns:
        np.ndarray: int (n, ), the source of each item.

    Raises:
        ValueError: ``n < 2``, or no pairing of different classes found.
    """
    if n < 2:
        raise ValueError(f'a derangement needs at least 2 items, got {n}.')
    if classes is None:
        while True:
            perm = rng.permutation(n)
            if not np.any(perm == np.arange(n)):
                return perm
    if len(classes) != n:
        raise ValueError(f'{len(classes)} class sets for {n} items.')
    for _ in range(MAX_TRIES):
        perm = np.full(n, -1)
        free = set(range(n))
        for i in rng.permutation(n):
            options = [j for j in sorted(free) if not classes[i] & classes[j]]
            if not options:
                break
            perm[i] = options[rng.integers(len(options))]
            free.discard(perm[i])
        else:
            return perm
    counts = {}
    for c in classes:
        for name in c:
            counts[name] = counts.get(name, 0) + 1
    raise ValueError(
        f'cannot give each of {n} clips the audio of a clip of other '
        f'classes (clips per class: {counts}); a class in more than half '
        'of the clips makes it impossible.')
