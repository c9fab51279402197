"""`seq-scaling` (seed 002's sequence-length test): OPT prefill latency and decode tokens/s over a grid of sequence
lengths × batch sizes, per model; one process (rank 0 measures, other ranks idle).

Grid (seed 002's config.ini): models facebook/opt-125m and facebook/opt-1.3b, sequence lengths 128 … 4096, batch
sizes 1 … 32, `samples` (default 5) measured iterations per cell after `warmup` (default 1); `output_tokens`
(default 32) greedy tokens decoded after the prefill. Simulated: the tiny OPT, lengths 8, 16, 32, batches 1, 2.

Per cell (record `seq`): `status` ok | oom | unsupported. Running out of memory is a finding about the cell
(`status: oom`, the allocator's message), not a failure of the experiment: the cache is emptied and the next cell
runs. A prompt plus output longer than the model's positions (OPT: 2048) is `unsupported`, never truncated.
Figures: prefill latency (median ms), per-token prefill latency (µs per prompt token: prefill / (batch × length)),
decode tokens/s (batch × (output_tokens − 1) / decode time), decode ms per step.

**Knee** (record `seq_knee`, per model and batch size): the first sequence length whose per-token prefill latency
exceeds the previous length's by more than `knee_growth` (default 1.1, i.e. 10 %). Up to it, a longer prompt costs
at most proportionally more (the GPU absorbs it: per-token cost falls or holds); past it, each token costs more
(attention's quadratic share, memory traffic). The decode knee is the first length whose decode tokens/s fall
more than 10 % (the same factor) under the previous length's. None when no point crosses; an out-of-memory cell
ends its curve (`memory_limit_length`).

A knee must stand out of the noise (issue 19: "decode throughput drops at 512" was reported while 1024 was faster
again): each cell records the range of its samples (`prefill_us_per_token_range`, `decode_tokens_per_s_range`), and
a knee is made only when (1) the two cells' sample ranges do not overlap, and (2) no later measured length comes back
past the factor from the knee's value. A cell of one sample has no measured noise: no knee rests on it.

`oom_above_tokens` (tests only): a cell with batch × length above it raises torch's out-of-memory error, so the
finding path is tested without a GPU.
"""
from __future__ import annotations

import statistics
from typing import List, Optional, Sequence

import torch

from ..failures import classify
from ..protocol import FailureKind
from .context import Context

DEFAULT_MODELS = ["facebook/opt-125m", "facebook/opt-1.3b"]
DEFAULT_LENGTHS = [128, 256, 512, 1024, 2048, 4096]
DEFAULT_BATCHES = [1, 2, 4, 8, 16, 32]


def knee(lengths: Sequence[int], values: Sequence[Optional[float]], growth: float, falling: bool = False,
         ranges: Optional[Sequence[Optional[Sequence[float]]]] = None):
    """The first length whose value exceeds the previous one's by more than `growth` (falls under 1/growth of it
    when `falling`); None when no consecutive pair of measured points crosses.

    With `ranges` (each cell's (lowest, highest) sample, or None), a crossing counts only when it is larger than the
    noise: the two cells' ranges do not overlap, neither cell is a single sample, and no later measured point comes
    back past the factor from the knee's value (a dip that recovers is noise, not a knee)."""
    def beyond(a, b):
        return (b < a / growth) if falling else (b > a * growth)

    for i in range(1, len(lengths)):
        a, b = values[i - 1], values[i]
        if a is None or b is None or a <= 0:
            continue
        if not beyond(a, b):
            continue
        if ranges is not None:
            ra, rb = ranges[i - 1], ranges[i]
            if ra is None or rb is None or ra[0] == ra[1] or rb[0] == rb[1]:
                continue  # one sample: its noise is unmeasured
            if (rb[1] >= ra[0]) if falling else (rb[0] <= ra[1]):
                continue  # the ranges overlap: within the noise
            if any(v is not None and beyond(v, b) for v in values[i + 1:]):
                continue  # a later length comes back past the factor: a dip that recovers, not a lasting change
        return lengths[i]
    return None


def _oom(message: str) -> BaseException:
    cls = getattr(torch.cuda, "OutOfMemoryError", None) or getattr(torch, "OutOfMemoryError", RuntimeError)
    return cls(message)


def measure(ctx: Context, model, ids: torch.Tensor, new: int, warmup: int, samples: int):
    """(prefill ns, decode ns) of each measured run of greedy generation."""
    def once():
        ctx.sync()
        t0 = ctx.now_ns()
        logits, past = model(ids, None, use_cache=True)
        token = logits[:, -1:].argmax(-1)
        ctx.sync()
        t1 = ctx.now_ns()
        for _ in range(new - 1):
            step, past = model(token, past, use_cache=True)
            token = step[:, -1:].argmax(-1)
        ctx.sync()
        return t1 - t0, ctx.now_ns() - t1

    with torch.no_grad():
        for _ in range(warmup):
            once()
        return [once() for _ in range(samples)]


def run(ctx: Context) -> None:
    c = ctx.config
    small = ctx.simulate
    models: List[str] = list(c.get("models") or ([DEFAULT_MODELS[0]] if small else DEFAULT_MODELS))
    lengths = sorted(int(x) for x in (c.get("sequence_lengths") or ([8, 16, 32] if small else DEFAULT_LENGTHS)))
    batches = sorted(int(x) for x in (c.get("batch_sizes") or ([1, 2] if small else DEFAULT_BATCHES)))
    new = int(c.get("output_tokens", 4 if small else 32))
    warmup = int(c.get("warmup", 1))
    samples = int(c.get("samples", 2 if small else 5))
    growth = float(c.get("knee_growth", 1.1))
    oom_above = c.get("oom_above_tokens")
    if min(lengths + batches + [new, samples]) < 1:
        raise ValueError("sequence_lengths, batch_sizes, output_tokens and samples must be >= 1")
    if ctx.rank != 0:
        return
    dtype = ctx.dtype()
    seed = int(c.get("seed", 0))
    for model_id in models:
        model = ctx.build(model_id)
        positions = model.config.max_position_embeddings
        g = torch.Generator().manual_seed(seed)
        cells = {}
        for batch in batches:
            for length in lengths:
                base = dict(model=model_id, tiny=bool(small or c.get("tiny")), batch_size=batch, sequence_length=length,
                            output_tokens=new, dtype=str(dtype).split(".")[-1])
                if length + new > positions:
                    row = dict(base, status="unsupported", prefill_ms=None, prefill_us_per_token=None,
                               decode_tokens_per_s=None, decode_ms_per_step=None,
                               reason="%d prompt + %d output tokens exceed the model's %d positions"
                                      % (length, new, positions))
                else:
                    try:
                        if oom_above is not None and batch * length > int(oom_above):
                            raise _oom("CUDA out of memory (simulated above %s tokens): tried batch %d x %d"
                                       % (oom_above, batch, length))
                        ids = torch.randint(0, model.config.vocab_size, (batch, length), generator=g).to(ctx.device)
                        runs = measure(ctx, model, ids, new, warmup, samples)
                        prefill = int(statistics.median(p for p, _ in runs))
                        decode = int(statistics.median(d for _, d in runs))
                        steps = max(new - 1, 1)
                        per_token = [p / 1e3 / (batch * length) for p, _ in runs]
                        rates = [batch * (new - 1) / (d / 1e9) for _, d in runs if d] if new > 1 else []
                        row = dict(base, status="ok", prefill_ms=prefill / 1e6,
                                   prefill_us_per_token=prefill / 1e3 / (batch * length),
                                   prefill_us_per_token_range=[min(per_token), max(per_token)],
                                   decode_tokens_per_s=batch * (new - 1) / (decode / 1e9) if new > 1 and decode else None,
                                   decode_tokens_per_s_range=[min(rates), max(rates)] if rates else None,
                                   decode_ms_per_step=decode / 1e6 / steps, samples=samples, reason=None)
                    except Exception as e:  # noqa: BLE001 - only out-of-memory is a finding; anything else fails
                        if classify(e) != FailureKind.GPU_OUT_OF_MEMORY:
                            raise
                        ids = None
                        if ctx.on_cuda:
                            torch.cuda.empty_cache()
                        row = dict(base, status="oom", prefill_ms=None, prefill_us_per_token=None,
                                   decode_tokens_per_s=None, decode_ms_per_step=None, reason=str(e).split("\n")[0][:300])
                cells[(batch, length)] = row
                ctx.record("seq", **row)
        for batch in batches:
            curve = [cells[(batch, L)] for L in lengths]
            ok = [r for r in curve if r["status"] == "ok"]
            oom = [r["sequence_length"] for r in curve if r["status"] == "oom"]
            per_token = [r["prefill_us_per_token"] for r in curve]
            tps = [r["decode_tokens_per_s"] for r in curve]
            pk = knee(lengths, per_token, growth, ranges=[r.get("prefill_us_per_token_range") for r in curve])
            dk = knee(lengths, tps, growth, falling=True, ranges=[r.get("decode_tokens_per_s_range") for r in curve])
            at = lambda L, key: next(r[key] for r in curve if r["sequence_length"] == L)  # noqa: E731
            prev = lambda L: lengths[lengths.index(L) - 1]  # noqa: E731
            ctx.record("seq_knee", model=model_id, batch_size=batch, knee_growth=growth,
                       prefill_knee_length=pk,
                       prefill_us_per_token_before=at(prev(pk), "prefill_us_per_token") if pk else None,
                       prefill_us_per_token_at=at(pk, "prefill_us_per_token") if pk else None,
                       decode_knee_length=dk,
                       decode_tokens_per_s_before=at(prev(dk), "decode_tokens_per_s") if dk else None,
                       decode_tokens_per_s_at=at(dk, "decode_tokens_per_s") if dk else None,
                       memory_limit_length=min(oom) if oom else None,
                       longest_measured_length=max((r["sequence_length"] for r in ok), default=None))
        del model
        if ctx.on_cuda:
            torch.cuda.empty_cache()
