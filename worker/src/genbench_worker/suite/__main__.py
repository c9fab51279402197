"""`python3 -m genbench_worker.suite EXPERIMENT --config JSON [--simulate]`, one process per rank under torchrun.

Started by `genbench suite` through PyTorch's launcher:
`python3 -m genbench_worker.suite.torchrun --nproc_per_node N --master_addr 127.0.0.1 --master_port P
 -m genbench_worker.suite EXPERIMENT --config JSON`.

Rank 0 writes events (suite/events.py) to stdout, one JSON object a line; every rank points fd 1 at stderr
first, so a stray print never corrupts the stream. Exit codes: 0 done (correctness checks may still have
failed: `suite_done.correct`), 1 the experiment failed (`suite_failed`), 2 bad arguments or config.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

from .. import protocol

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def parse_args(argv: Optional[List[str]]):
    from . import EXPERIMENTS  # noqa: PLC0415

    p = argparse.ArgumentParser(prog="python3 -m genbench_worker.suite", description="genbench multi-GPU experiments")
    p.add_argument("experiment", choices=sorted(EXPERIMENTS))
    p.add_argument("--config", default="{}", help="the experiment's settings as a JSON object")
    p.add_argument("--simulate", action="store_true", help="CPU processes with gloo and tiny sizes")
    return p.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    rank = int(os.environ.get("RANK", "0"))
    events = protocol.claim_stdout()  # every rank: stray prints go to stderr; only rank 0 writes events
    if rank != 0:
        events = None
    try:
        args = parse_args(argv)
        config = json.loads(args.config)
        if not isinstance(config, dict):
            raise ValueError("--config must be a JSON object")
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_OK
    except ValueError as e:
        print("genbench_worker.suite: bad --config: %s" % e, file=sys.stderr)
        return EXIT_USAGE

    import torch.distributed as dist  # noqa: PLC0415

    from . import EXPERIMENTS, context  # noqa: PLC0415
    from ..hello import hello  # noqa: PLC0415
    from ..failures import classify  # noqa: PLC0415
    from .events import SuiteDone, SuiteFailed, SuiteStart  # noqa: PLC0415

    simulate = bool(args.simulate or config.get("simulate"))
    ctx = None
    try:
        device, backend = context.choose(simulate)
        if "RANK" not in os.environ:  # a single process started without torchrun
            os.environ.update(RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1",
                              MASTER_PORT=os.environ.get("MASTER_PORT", "29500"))
        dist.init_process_group(backend)
        ctx = context.Context(args.experiment, config, events, simulate, device, backend)
        ctx.emit(hello(device))
        ctx.emit(SuiteStart(experiment=args.experiment, world_size=ctx.world, backend=backend, device=device.type,
                            simulate=simulate, config=config))
        if ctx.world > 1:  # interconnect pre-flight before any multi-rank experiment
            from . import preflight  # noqa: PLC0415

            preflight.run(ctx)
        EXPERIMENTS[args.experiment](ctx)
        dist.barrier()
        ctx.emit(SuiteDone(experiment=args.experiment, correct=ctx.correct))
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 - reported on the wire, then the process fails
        import traceback  # noqa: PLC0415

        traceback.print_exc(file=sys.stderr)
        if rank == 0 and events is not None:
            kind = classify(e)
            events.emit(SuiteFailed(experiment=args.experiment, kind=kind, message="%s: %s" % (type(e).__name__, e)))
        return EXIT_FAILED
    finally:
        if dist.is_initialized():
            try:
                dist.destroy_process_group()
            except Exception:  # noqa: BLE001
                pass


if __name__ == "__main__":
    sys.exit(main())
