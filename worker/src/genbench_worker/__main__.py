"""`python3 -m genbench_worker --job JOB.json`: run a job's cases and write events to stdout.

    --job JOB.json      run the cases (protocol/PROTOCOL.md); events on stdout, logs on stderr
    --device D          auto (default: cuda when available, else cpu) | cpu | cuda | cuda:N
    --list-models       the built-in models with parameter counts, as JSON on stdout
    --version           the worker version

Exit codes: 0 every case produced `done` (failed cases included: they are results); 2 the job file
is unreadable or invalid (nothing ran); 143 terminated by SIGTERM (the running case got
`failed` kind infrastructure + `done`); 1 an internal error outside any case.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from typing import List, Optional

from . import __version__, protocol
from .devices import device_type, is_cuda
from .hello import hello

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_TERMINATED = 128 + signal.SIGTERM


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python3 -m genbench_worker", description="genbench GPU inference worker")
    p.add_argument("--job", help="job file (JSON: protocol, cases)")
    p.add_argument("--device", default=os.environ.get("GENBENCH_DEVICE", "auto"),
                   help="auto | cpu | cuda | cuda:N (default: auto, or $GENBENCH_DEVICE)")
    p.add_argument("--list-models", action="store_true", help="print the built-in models as JSON")
    p.add_argument("--version", action="store_true", help="print the worker version")
    args = p.parse_args(argv)
    if not (args.job or args.list_models or args.version):
        p.error("one of --job, --list-models or --version is required")
    return args


def choose_device(name: str):
    import torch  # noqa: PLC0415

    if name == "auto":
        if torch.cuda.is_available():
            local_rank = os.environ.get("LOCAL_RANK")
            return torch.device("cuda", int(local_rank) if local_rank and local_rank.isdigit() else 0)
        return torch.device("cpu")
    device = torch.device(name)
    if is_cuda(device):
        if not torch.cuda.is_available():
            raise ValueError("--device %s: CUDA is not available to this torch (%s)" % (name, torch.__version__))
        if device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        torch.cuda.set_device(device)
    elif device_type(device) != "cpu":
        raise ValueError("--device %s: use auto, cpu, cuda or cuda:N" % name)
    return device


def list_models() -> int:
    from .models import registry  # noqa: PLC0415

    models = []
    for model_id in registry.known_models():
        s = registry.spec(model_id)
        counts = registry.parameter_counts(model_id)
        models.append({"id": model_id, "family": s.family, "parameters": int(sum(counts.values())),
                       "components": {k: int(v) for k, v in counts.items()},
                       "default_width": s.default_width, "default_height": s.default_height,
                       "default_frames": s.default_frames})
    print(json.dumps({"models": models}, indent=2))
    return EXIT_OK


def _on_sigterm(signum, frame):
    from .failures import Terminated  # noqa: PLC0415

    raise Terminated("terminated by signal %d (SIGTERM)" % signum)


def main(argv: Optional[List[str]] = None, *, events: Optional[protocol.EventStream] = None, cache=None) -> int:
    """Entry point. `events` / `cache` are injected by in-process tests; otherwise stdout is claimed."""
    args = parse_args(argv)
    if args.version:
        print(__version__)
        return EXIT_OK
    if args.list_models:
        return list_models()
    if events is None:
        events = protocol.claim_stdout()  # before torch and friends are imported: stray prints go to stderr
        signal.signal(signal.SIGTERM, _on_sigterm)

    from .case import CaseError, Job  # noqa: PLC0415
    from .failures import Terminated  # noqa: PLC0415

    try:
        with open(args.job, encoding="utf-8") as f:
            job = Job.from_json(f.read())
    except (OSError, CaseError) as e:
        print("genbench_worker: bad job %s: %s" % (args.job, e), file=sys.stderr)
        return EXIT_USAGE

    try:
        from .backends import ModelCache  # noqa: PLC0415 (imports torch)
        from .scenarios import run_case  # noqa: PLC0415

        try:
            device = choose_device(args.device)
        except (ValueError, RuntimeError) as e:
            print("genbench_worker: %s" % e, file=sys.stderr)
            return EXIT_USAGE
        if is_cuda(device):
            # create the CUDA context now: its seconds belong to no case's model load
            import torch  # noqa: PLC0415

            torch.zeros(1, device=device)
            torch.cuda.synchronize(device)
        events.emit(hello(device))
        cache = cache if cache is not None else ModelCache()
        for case in job.cases:
            ok = run_case(case, cache, events, device)
            print("case %s: %s" % (case.id, "done" if ok else "failed"), file=sys.stderr)
        return EXIT_OK
    except Terminated as e:
        print("genbench_worker: %s" % e, file=sys.stderr)
        return EXIT_TERMINATED
    except Exception:
        import traceback  # noqa: PLC0415

        traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
