"""Recogniser frames for a toy alphabet, for tests of decisions made on the recogniser's per-frame
probabilities (names, authorities): class 0 of ``classes`` is CTC's blank ("")."""

from __future__ import annotations

import numpy as np


def frames(classes: list[str], *columns: dict[str, float]) -> np.ndarray:
    """Probabilities per frame from each frame's given ones (the rest spread evenly)."""
    out = np.empty((len(columns), len(classes)), dtype=np.float32)
    for t, column in enumerate(columns):
        rest = (1.0 - sum(column.values())) / (len(classes) - len(column))
        p = np.full(len(classes), rest)
        for char, prob in column.items():
            p[classes.index(char)] = prob
        out[t] = p
    return out
