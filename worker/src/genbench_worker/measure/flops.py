"""The work one request does, counted once per model and shape (the `flops` event).

Counted with `torch.utils.flop_counter.FlopCounterMode` (torch >= 2.1; on older torch nothing is counted and no
event is sent): a dispatcher mode that adds up the FLOPs of the matmuls, convolutions and attention it sees (a
multiply-add is 2). It sees only eager calls: a CUDA-graph replay or a compiled graph never reaches the
dispatcher, so counting runs the eager model (never the scenario's captured or compiled callable), after the
measured iterations and the profiled one, once the scenario's graphs are released: its time is in no measured
figure and does not delay the first one. What it counts depends on the model and the case's shapes only (not the
memory format, a capture, or the iterations that ran before), so it equals a count before `prepare()`
(tests/test_flops_order.py).

Diffusion: one text encode, one UNet call at the case's shape (CFG batch included) and one VAE decode;
flops_per_step is the UNet call (the scheduler's element-wise update is not counted: it is a few FLOPs per
latent element against billions per UNet call), flops_per_request = encode + steps × per_step + decode.
LLM (opt): one decode step at the mean context length (prompt_tokens + output_tokens // 2 tokens in the KV
cache) divided by the batch is flops_per_token (per generated token); decode_bytes_per_step is what that step must
read: the parameter bytes plus the KV cache bytes at that context for the whole batch. prefill_flops is one forward
over the prompt for the batch (its attention included where the counter counts attention), and flops_per_request =
prefill_flops + (output_tokens - 1) × the batch's decode step: the prefill yields the first token.

Counts are kept per (backend, model, tiny, precision, shape, batch, CFG) for the life of the worker.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

METHOD = "torch.utils.flop_counter"


@dataclass(frozen=True)
class WorkCount:
    """What the `flops` event carries; None where not counted."""

    flops_per_request: Optional[int] = None
    flops_per_step: Optional[int] = None
    flops_per_token: Optional[int] = None
    decode_bytes_per_step: Optional[int] = None
    prefill_flops: Optional[int] = None


def counter_class():
    """FlopCounterMode, or None on a torch without it (< 2.1)."""
    try:
        from torch.utils.flop_counter import FlopCounterMode  # noqa: PLC0415
    except ImportError:
        return None
    return FlopCounterMode


def counter_for(counter_cls) -> Callable[[Callable[[], Any]], int]:
    """A function that runs a thunk under a fresh counter and returns the FLOPs it did."""

    def count(thunk: Callable[[], Any]) -> int:
        counter = counter_cls(display=False)
        with counter:
            thunk()
        return int(counter.get_total_flops())

    return count


_CACHE: Dict[tuple, Any] = {}


def clear_cache() -> None:
    _CACHE.clear()


def for_case(case, scenario) -> Optional[WorkCount]:
    """The case's work, counted on first sight of its model and shape; None when it cannot be counted. Never raises:
    a counting error is logged to stderr and the case goes on without a `flops` event."""
    cls = counter_class()
    if cls is None:
        return None
    count_work = getattr(scenario, "count_work", None)
    if count_work is None:
        return None
    key = scenario.work_key()
    try:
        if key not in _CACHE:
            _CACHE[key] = count_work(counter_for(cls))
        parts = _CACHE[key]
        return None if parts is None else scenario.work_for(parts)
    except Exception as exc:  # counting is a by-product: it must never fail a case
        print("flops: not counted for case %s: %s" % (case.id, exc), file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        exc.__traceback__ = None
        return None


def tensor_bytes(value: Any) -> int:
    """Bytes of every tensor in a nested tuple / list / object with tensor attributes (a KV cache)."""
    import torch  # noqa: PLC0415

    if torch.is_tensor(value):
        return value.numel() * value.element_size()
    if isinstance(value, (tuple, list)):
        return sum(tensor_bytes(v) for v in value)
    if hasattr(value, "keys") and hasattr(value, "values") and not isinstance(value, dict):
        return tensor_bytes(list(getattr(value, "keys"))) + tensor_bytes(list(getattr(value, "values")))
    return 0


def parameter_bytes(module: Any) -> int:
    params = getattr(module, "parameters", None)
    if not callable(params):
        return 0
    return int(sum(p.numel() * p.element_size() for p in params()))
