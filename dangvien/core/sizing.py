"""Scaling drawn unit sizes to a target total, each within its bounds: shared by the demo
province (``core/demo.py``) and the synthetic nation (``synth/tree.py``)."""

import random
from collections.abc import Sequence


def scale_sizes(
    bases: Sequence[float],
    target: int,
    floors: Sequence[int],
    caps: Sequence[int],
    rng: random.Random,
) -> list[int]:
    """Sizes proportional to ``bases`` summing to ``target`` where the bounds allow: each
    scaled and clamped to [floor, cap], then the remainder spread one at a time over the
    units in a random order until it is used up or no unit can move."""
    factor = target / sum(bases)
    sizes = [min(c, max(f, round(b * factor))) for b, f, c in zip(bases, floors, caps, strict=True)]
    diff = target - sum(sizes)
    order = list(range(len(sizes)))
    while diff:
        rng.shuffle(order)
        moved = False
        for i in order:
            if diff > 0 and sizes[i] < caps[i]:
                sizes[i] += 1
                diff -= 1
                moved = True
            elif diff < 0 and sizes[i] > floors[i]:
                sizes[i] -= 1
                diff += 1
                moved = True
            if not diff:
                break
        if not moved:
            break
    return sizes
