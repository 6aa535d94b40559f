"""numpy side of bench/numeric.bench.ts: a line protocol on stdin/stdout so that the TypeScript
bench can interleave Descent and numpy repetitions in one run.

Request:  {"name": "dgemm", "n": 256, "seed": 1, "minMs": 30}   (one JSON object per line)
Reply:    {"ms": <CPU milliseconds per call>}

Times are process CPU time (time.process_time), not wall time: on a shared machine the wall
clock measures the neighbours' load. Each request repeats the kernel until at least minMs of
CPU time has passed (reading the clock after batches of 1, 2, 4, ... calls) and reports the
mean per call.

The inputs are regenerated from the seed with numpy's own generator (the values differ from
Descent's, the shapes and distributions do not, which is all timing needs). Each request is
timed once; the caller repeats and takes medians.
"""
import json
import sys
import time

import numpy as np

_cache = {}


def inputs(name, n, seed):
    key = (name, n, seed)
    if key not in _cache:
        rng = np.random.default_rng(seed)
        A = rng.standard_normal((n, n))
        if name in ("symEig", "cholesky"):
            A = A + A.T
            if name == "cholesky":
                A = A @ A.T + n * np.eye(n)
        B = rng.standard_normal((n, n))
        x = rng.standard_normal(n)
        _cache.clear()
        _cache[key] = (A, B, x)
    return _cache[key]


def run(name, n, seed, min_ms):
    A, B, x = inputs(name, n, seed)
    # The clock is read after batches of calls that double in size, as on the TypeScript side:
    # reading it costs about a microsecond, as much as a 16x16 product.
    calls = 0
    batch = 1
    t0 = time.process_time()
    while True:
        for _ in range(batch):
            once(name, A, B, x)
        calls += batch
        batch *= 2
        elapsed = (time.process_time() - t0) * 1e3
        if elapsed >= min_ms:
            return elapsed / calls


def once(name, A, B, x):
    if name == "dgemm":
        A @ B
    elif name == "dgemm_nt":
        A @ B.T
    elif name == "dgemv":
        A @ x
    elif name == "symEig":
        np.linalg.eigh(A)
    elif name == "svd":
        np.linalg.svd(A, full_matrices=False)
    elif name == "singularValues":
        np.linalg.svd(A, compute_uv=False)
    elif name == "cholesky":
        np.linalg.cholesky(A)
    elif name == "solve":
        np.linalg.solve(A, x)
    elif name == "qr":
        np.linalg.qr(A)
    else:
        raise ValueError(f"unknown kernel {name}")


def main():
    sys.stdout.write(json.dumps({"numpy": np.__version__}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            reply = {"ms": run(req["name"], int(req["n"]), int(req.get("seed", 1)), float(req.get("minMs", 30)))}
        except Exception as exc:  # report, keep serving
            reply = {"error": str(exc)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
