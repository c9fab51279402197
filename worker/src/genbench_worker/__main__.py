"""`python3 -m genbench_worker --job JOB.json`: run a job's cases and write events to stdout.

    --job JOB.json      run the cases (protocol/PROTOCOL.md); events on stdout, logs on stderr
    --jobs-stdin        a kept worker: `hello` once, then one job file path per line on stdin, each job's cases
                        run in turn with one model cache for all of them, `job_done` after each; EOF ends it (exit 0)
    --device D          auto (default: cuda when available, else cpu) | cpu | cuda | cuda:N
    --list-models       the built-in models with parameter counts, as JSON on stdout
    --version           the worker version

GENBENCH_EARLY_CUDA=0: the CUDA context is created by torch after its import, not on a thread alongside it (startup.py).
GENBENCH_PYCACHE=DIR|off: where torch's sources have no bytecode beside them, the worker keeps compiled bytecode in DIR
(default $XDG_CACHE_HOME/genbench/pycache or ~/.cache/genbench/pycache), so later workers skip compiling (pycache.py).
GENBENCH_BUILD=direct|meta: how random-weight models are built (models/construction.py; default direct on CUDA).

Exit codes: 0 every case produced `done` (failed cases included: they are results; --jobs-stdin: stdin
ended); 2 the job file is unreadable or invalid (nothing ran; --jobs-stdin says so in that job's `job_done`
and goes on); 143 terminated by SIGTERM (the running case got
`failed` kind infrastructure + `done`); 1 an internal error outside any case.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import List, Optional

from . import __version__, protocol, pycache, startup
from .devices import device_type, is_cuda
from .hello import hello

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_TERMINATED = 128 + signal.SIGTERM


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python3 -m genbench_worker", description="genbench GPU inference worker")
    p.add_argument("--job", help="job file (JSON: protocol, cases)")
    p.add_argument("--jobs-stdin", action="store_true",
                   help="keep running: read one job file path per line from stdin, job_done after each, until EOF")
    p.add_argument("--device", default=os.environ.get("GENBENCH_DEVICE", "auto"),
                   help="auto | cpu | cuda | cuda:N (default: auto, or $GENBENCH_DEVICE)")
    p.add_argument("--list-models", action="store_true", help="print the built-in models as JSON")
    p.add_argument("--version", action="store_true", help="print the worker version")
    args = p.parse_args(argv)
    if not (args.job or args.jobs_stdin or args.list_models or args.version):
        p.error("one of --job, --jobs-stdin, --list-models or --version is required")
    if args.job and args.jobs_stdin:
        p.error("--job and --jobs-stdin exclude each other")
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


def main(argv: Optional[List[str]] = None, *, events: Optional[protocol.EventStream] = None, cache=None,
         stdin=None) -> int:
    """Entry point. `events` / `cache` / `stdin` are injected by in-process tests; otherwise stdout is claimed."""
    args = parse_args(argv)
    # before torch is imported: a bytecode cache of genbench's own where torch's sources have none (pycache.py); not
    # for in-process tests (events injected), whose interpreter must keep its own settings
    bytecode = pycache.enable() if events is None else "bytecode: as the caller set it"
    if args.version:
        print(__version__)
        return EXIT_OK
    if args.list_models:
        return list_models()
    started = time.perf_counter()
    # the device's CUDA context is created on a thread of its own while torch is imported (startup.py)
    early = startup.EarlyContext(startup.ordinal_for(args.device) if startup.torch_has_cuda() else None).start()
    if events is None:
        events = protocol.claim_stdout()  # before torch and friends are imported: stray prints go to stderr
        signal.signal(signal.SIGTERM, _on_sigterm)

    from .case import CaseError, Job  # noqa: PLC0415
    from .failures import Terminated  # noqa: PLC0415

    def read_job(path):
        with open(path, encoding="utf-8") as f:
            return Job.from_json(f.read())

    job = None
    if args.job:
        try:
            job = read_job(args.job)
        except (OSError, CaseError) as e:
            print("genbench_worker: bad job %s: %s" % (args.job, e), file=sys.stderr)
            return EXIT_USAGE

    try:
        from .backends import ModelCache  # noqa: PLC0415 (imports torch)
        from .scenarios import run_case  # noqa: PLC0415

        from .models.construction import build_mode  # noqa: PLC0415

        imported = time.perf_counter()
        try:
            build_mode("cpu")  # a GENBENCH_BUILD that names no mode is a usage error, before any case
            device = choose_device(args.device)
        except (ValueError, RuntimeError) as e:
            early.finish("none", None)
            print("genbench_worker: %s" % e, file=sys.stderr)
            return EXIT_USAGE
        if is_cuda(device):
            # create the CUDA context now (or take the one made early): its seconds belong to no case's model load
            import torch  # noqa: PLC0415

            torch.zeros(1, device=device)
            torch.cuda.synchronize(device)
        early.finish(device_type(device), device.index)
        ready = time.perf_counter()
        events.emit(hello(device))
        print("genbench_worker: hello %.2f s after start: imports %.2f s, device %.2f s (%s), hello %.2f s; %s"
              % (time.perf_counter() - started, imported - started, ready - imported, early.describe(),
                 time.perf_counter() - ready, bytecode), file=sys.stderr)
        cache = cache if cache is not None else ModelCache()
        if job is not None:
            run_job(job, cache, events, device, run_case)
            return EXIT_OK
        jobs = 0
        hello_at = time.perf_counter()
        for line in stdin if stdin is not None else sys.stdin:
            path = line.strip()
            if not path:
                continue
            if jobs == 0:
                # beside the controller's "first job sent" line: who waited for whom before the first case
                print("genbench_worker: first job read %.2f s after start, %.2f s after hello"
                      % (time.perf_counter() - started, time.perf_counter() - hello_at), file=sys.stderr)
            try:
                job = read_job(path)
            except (OSError, CaseError) as e:
                print("genbench_worker: bad job %s: %s" % (path, e), file=sys.stderr)
                jobs += 1
                end_job(events, protocol.JobDone(job=path, jobs=jobs, cases=0, error="bad job %s: %s" % (path, e)))
                continue
            run_job(job, cache, events, device, run_case)
            jobs += 1
            end_job(events, protocol.JobDone(job=path, jobs=jobs, cases=len(job.cases)))
        return EXIT_OK
    except Terminated as e:
        print("genbench_worker: %s" % e, file=sys.stderr)
        return EXIT_TERMINATED
    except Exception:
        import traceback  # noqa: PLC0415

        traceback.print_exc(file=sys.stderr)
        return EXIT_INTERNAL


def run_job(job, cache, events, device, run_case) -> None:
    """The job's cases in order, one cache for all: a case whose model the cache holds reuses it, whatever job built
    it (the cache's key is everything a build depends on; at most one model is kept). What a case leaves on the device
    is released by the case itself (`run_case`, `measure.memory`), so the next one, of this job or the next, starts its
    memory window from the same state."""
    for case in job.cases:
        ok = run_case(case, cache, events, device)
        print("case %s: %s" % (case.id, "done" if ok else "failed"), file=sys.stderr)


#: The last line a kept worker writes to stderr for a job, just before its `job_done`: the controller waits for it so
#: every log line of the job is attributed before the job is over.
END_OF_JOB_LOG = "genbench_worker: end of job"


def end_job(events, done) -> None:
    print("%s %d" % (END_OF_JOB_LOG, done.jobs), file=sys.stderr, flush=True)
    events.emit(done)


if __name__ == "__main__":
    sys.exit(main())
