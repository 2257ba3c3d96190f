#!/usr/bin/env python3
"""make_data.py: the next-token data set of transformer_adam.json (numpy only).

Sequences of 65 tokens over a vocabulary of 32 drawn from a fixed random
first-order Markov chain: each token has 4 possible successors with
probabilities 0.55 / 0.25 / 0.15 / 0.05. A model that has learned the chain
reaches the chain's entropy, about 1.11 nats per token (uniform guessing:
ln 32 = 3.47). 512 sequences: `tokens` i32 [512, 65], about 133 KB.

    python3 make_data.py [OUT.safetensors]     # default: data.safetensors here
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from safetensors_np import save_safetensors  # noqa: E402

N, LEN, V = 512, 65, 32
PROBS = np.array([0.55, 0.25, 0.15, 0.05])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "data.safetensors")
    rng = np.random.default_rng(42)
    succ = np.stack([rng.choice(V, size=4, replace=False) for _ in range(V)])  # [V, 4]
    tokens = np.empty((N, LEN), np.int64)
    tokens[:, 0] = rng.integers(0, V, size=N)
    for t in range(1, LEN):
        pick = rng.choice(4, size=N, p=PROBS)
        tokens[:, t] = succ[tokens[:, t - 1], pick]
    entropy = -(PROBS * np.log(PROBS)).sum()
    save_safetensors(out, {"tokens": tokens.astype(np.int32)})
    print(f"wrote {out}: tokens i32 [{N}, {LEN}], vocabulary {V}, chain entropy {entropy:.3f} nats")


if __name__ == "__main__":
    main()
