"""Multi-GPU experiments of `genbench suite` (seeds 001 and 002), one process per rank under torchrun.

Each experiment is a function of a :class:`~genbench_worker.suite.context.Context`; it emits `record` events
from rank 0 and checks its own results for correctness (a wrong result is reported, never hidden).
"""
from __future__ import annotations

import importlib


def _lazy(module: str, name: str = "run"):
    def run(ctx):
        return getattr(importlib.import_module("." + module, __name__), name)(ctx)
    return run


EXPERIMENTS = {
    "collectives": _lazy("collectives"),
    "bandwidth": _lazy("bandwidth"),
    "pipeline-diffusion": _lazy("pipeline_diffusion"),
    "tp": _lazy("tp"),
    "pp-overhead": _lazy("pp_overhead"),
    "seq-scaling": _lazy("seq_scaling"),
}
