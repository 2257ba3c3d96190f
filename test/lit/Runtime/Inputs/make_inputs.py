"""make_inputs.py DIR: the .npy inputs of checks.test (valid ones and one bad one per check)."""
import sys
import numpy as np

d = sys.argv[1]
save = lambda name, a: np.save(f"{d}/{name}.npy", a)
save("ids", np.array([0, 3, 1], dtype=np.int64))
save("ids_bad", np.array([0, 4, 1], dtype=np.int64))
save("num", np.array([7, -7], dtype=np.int32))
save("den", np.array([2, 2], dtype=np.int32))
save("den0", np.array([2, 0], dtype=np.int32))
save("a2", np.ones((2, 3), dtype=np.float32))
save("b2", np.ones((2, 3), dtype=np.float32))
save("b5", np.ones((5, 3), dtype=np.float32))
save("r6", np.arange(6, dtype=np.float32))
save("r7", np.arange(7, dtype=np.float32))
