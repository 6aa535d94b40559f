"""numpy side of bench/studies/bench.ts: a line protocol on stdin/stdout so that the TypeScript
driver can interleave Descent and numpy repetitions of each study's solver step in one run.

Request:  {"py": "subgm-small-init-robust-recovery_step", "case": "default", "minMs": 30}
Reply:    {"ms": <CPU milliseconds per call>}

Each <id>_step.py module next to this file has setup(case) -> a zero-argument callable that
performs one solver step (state is built once per case and cached). Times are process CPU time
(time.process_time): on a shared machine the wall clock mostly measures the neighbours' load.
"""
import importlib.util
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
_steps = {}


def step(py, case):
    key = (py, case)
    if key not in _steps:
        spec = importlib.util.spec_from_file_location(py.replace("-", "_"), os.path.join(HERE, py + ".py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        f = mod.setup(case)
        for _ in range(3):  # warm-up
            f()
        _steps[key] = f
    return _steps[key]


def run(py, case, min_ms):
    """CPU ms per call; the clock is read between doubling batches of calls (as bench.ts does)."""
    f = step(py, case)
    calls = 0
    batch = 1
    t0 = time.process_time()
    while True:
        for _ in range(batch):
            f()
        calls += batch
        elapsed = (time.process_time() - t0) * 1e3
        if elapsed >= min_ms:
            return elapsed / calls
        batch *= 2


def main():
    sys.stdout.write(json.dumps({"numpy": np.__version__}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        try:
            reply = {"ms": run(req["py"], req["case"], float(req.get("minMs", 30)))}
        except Exception as exc:  # report, keep serving
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
