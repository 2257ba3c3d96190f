#!/usr/bin/env python3
"""make_data.py: the MLP classifier's data set, Gaussian blobs (numpy only).

8 classes in 16 dims: each class is a Gaussian (std 1) around its own random
centre (centres drawn with std 0.6, so the classes overlap a little and the
loss falls gradually instead of in one step). 2048 examples, shuffled:
`x` f32 [2048, 16] and `label` i32 [2048]; about 136 KB.

    python3 make_data.py [OUT.safetensors]     # default: data.safetensors here
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from safetensors_np import save_safetensors  # noqa: E402

N, DIM, CLASSES = 2048, 16, 8


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "data.safetensors")
    rng = np.random.default_rng(1234)
    centres = rng.normal(0.0, 0.6, size=(CLASSES, DIM))
    label = rng.integers(0, CLASSES, size=N)
    x = centres[label] + rng.normal(0.0, 1.0, size=(N, DIM))
    save_safetensors(out, {"x": x.astype(np.float32), "label": label.astype(np.int32)})
    print(f"wrote {out}: x f32 [{N}, {DIM}], label i32 [{N}] ({CLASSES} classes)")


if __name__ == "__main__":
    main()
