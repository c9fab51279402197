"""`python3 -m genbench_worker.suite.torchrun ARGS`: PyTorch's own launcher (`torch.distributed.run`), unchanged.

Only one thing is added: torch 1.13's launcher cannot parse its own default `--redirects 0` / `--tee 0` on
Python >= 3.11 (iterating an `IntFlag` no longer yields its zero member, so `Std.from_str("0")` returns None and
the launcher crashes before starting a process). The parse is repaired when, and only when, it is broken; on
newer torch this module is `torchrun` itself.
"""
from __future__ import annotations

import sys


def _repair_std_parse() -> None:
    from torch.distributed.elastic.multiprocessing import api  # noqa: PLC0415

    if api.Std.from_str("0") is not None:
        return
    broken = api.Std.from_str.__func__

    def from_str(cls, vm):
        parsed = broken(cls, vm)
        if parsed is None and vm.strip().isdigit():
            return cls(int(vm))
        return parsed

    api.Std.from_str = classmethod(from_str)


def main(argv=None) -> None:
    _repair_std_parse()
    from torch.distributed import run  # noqa: PLC0415

    run.main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
