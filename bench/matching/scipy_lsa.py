"""Times scipy.optimize.linear_sum_assignment on the instance bench_matching wrote.

File format: n as little-endian u64, then n*n little-endian i64 costs, row by row.
Prints key=value lines read back by bench_matching: version, seconds (median of 5), total.
Times are CPU time of this thread (time.thread_time), like the Rust side, so they hold on a
machine shared with other work.
"""

import sys
import time

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment


def main(path: str) -> None:
    with open(path, "rb") as f:
        n = int(np.frombuffer(f.read(8), dtype="<u8")[0])
        costs = np.fromfile(f, dtype="<i8", count=n * n).reshape(n, n)
    # SciPy solves in float64; convert once, outside the timing.
    costs = costs.astype(np.float64)
    times = []
    for _ in range(5):
        start = time.thread_time()
        rows, cols = linear_sum_assignment(costs)
        times.append(time.thread_time() - start)
    print(f"version={scipy.__version__}")
    print(f"seconds={sorted(times)[len(times) // 2]:.6f}")
    print(f"total={int(costs[rows, cols].sum())}")


if __name__ == "__main__":
    main(sys.argv[1])
