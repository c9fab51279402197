"""`pp-overhead` (seed 002): OPT cut into P stages (one per rank), M micro-batches, GPipe and 1F1B schedules.

Stage s holds a contiguous share of the decoder layers (stage 0 also the embeddings, the last also the final norm
and LM head). Activations travel forward and their gradients backward (backward w.r.t. activations only: weights
are frozen) with non-blocking sends, on two process groups (one per direction, so a queued activation send never
sits on the stream ahead of the gradient receive it waits for); the schedule's order alone decides who waits.

**The bubble, measured as (P−1)/(M+P−1) defines it.** The formula is the idle share of a stage in one batch of
the steady schedule when every op costs the same and transfers are free. So:

* busy time is GPU time: CUDA events around each op's compute on the compute stream (host clock on CPU), never a
  receive wait, a synchronisation or a launch gap; the timed window has no synchronisation inside it (one barrier
  and device sync before the batch, one sync after), so sends overlap compute as they would in service;
* every op is placed on one clock shared by all stages: each rank records a zero event right after the barrier,
  at a host CLOCK_MONOTONIC time; an op starts at that time + its event's offset from the zero event;
* stage bubble = (makespan − busy_s) / makespan, makespan = first op start to last op end over all stages;
* `pipeline_bubble_ratio` = the bubble of the busiest stage (schedule.bottleneck_bubble): the stages of a real
  model are not equal (the last holds the LM head), and a faster stage's extra idle is imbalance, reported apart as
  `mean_stage_bubble_ratio` and `stage_balance` (busiest / mean busy time);
* `warmup` batches (default 2) run first and are not measured (allocator, NCCL communicators, kernels' first
  launch); then `repetitions` batches (default 5), and each figure is the median over them.

The fake-clock test (tests/test_suite.py) replays both schedules with equal op times: every stage's bubble, so the
bottleneck bubble, equals the formula. Inter-stage transfer time: the median time to send one activation between
neighbours, times the messages per batch. Check: the last stage's logits for every micro-batch equal the unsplit
model's.
"""
from __future__ import annotations

import statistics

import torch
import torch.distributed as dist

from ..models.opt import POSITION_OFFSET
from . import schedule as schedules
from .context import Context


class Stage:
    def __init__(self, model, rank: int, stages: int):
        layers = model.model.decoder.layers
        n = len(layers)
        if n < stages:
            raise ValueError("%d pipeline stages need at least as many layers; the model has %d" % (stages, n))
        bounds = [round(k * n / stages) for k in range(stages + 1)]
        self.model, self.rank, self.stages = model, rank, stages
        self.layers = list(range(bounds[rank], bounds[rank + 1]))
        self.first, self.last = rank == 0, rank == stages - 1

    def forward(self, x):
        dec = self.model.model.decoder
        if self.first:
            ids = x
            x = dec.embed_tokens(ids)
            if dec.project_in is not None:
                x = dec.project_in(x)
            x = x + dec.embed_positions(torch.arange(ids.shape[1], device=ids.device) + POSITION_OFFSET)
            if torch.is_grad_enabled():  # frozen weights: the graph starts at the embedding output
                x = x.detach().requires_grad_()
        for i in self.layers:
            x, _ = dec.layers[i](x, i, None, 0)
        if self.last:
            if dec.final_layer_norm is not None:
                x = dec.final_layer_norm(x)
            if dec.project_out is not None:
                x = dec.project_out(x)
            x = self.model.lm_head(x)
        return x


class OpClock:
    """Op intervals on one clock for every stage: CUDA events resolved against a zero event recorded right after a
    barrier at a known host time (GPU), or the host clock itself (CPU, where ops run synchronously)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def begin(self) -> None:
        self.ctx.sync()
        dist.barrier()
        self.ctx.sync()
        self.host0 = self.ctx.now_ns()
        if self.ctx.on_cuda:
            self.zero = torch.cuda.Event(enable_timing=True)
            self.zero.record()

    def mark(self):
        if self.ctx.on_cuda:
            e = torch.cuda.Event(enable_timing=True)
            e.record()
            return e
        return self.ctx.now_ns()

    def resolve(self, marks):
        """[(op, start mark, end mark)] → [(op, start ns, end ns)] on the shared clock (syncs once, at the end)."""
        self.ctx.sync()
        if not self.ctx.on_cuda:
            return list(marks)
        at = lambda e: self.host0 + int(round(self.zero.elapsed_time(e) * 1e6))  # noqa: E731
        return [(op, at(a), at(b)) for op, a, b in marks]


def run(ctx: Context) -> None:
    c = ctx.config
    small = ctx.simulate
    dtype = ctx.dtype()
    model_id = c.get("model", "facebook/opt-125m" if small else "facebook/opt-1.3b")
    seed = int(c.get("seed", 0))
    model = ctx.build(model_id)
    P, r = ctx.world, ctx.rank
    M = int(c.get("micro_batches", 4 if small else 8))
    mb = int(c.get("micro_batch_size", 1 if small else 4))
    seq = int(c.get("sequence_length", 8 if small else 512))
    backward = bool(c.get("backward", True))
    warmup = int(c.get("warmup", 1 if small else 2))
    repetitions = max(1, int(c.get("repetitions", 3 if small else 5)))
    names = c.get("schedules") or (["gpipe", "1f1b"] if backward else ["gpipe"])
    stage = Stage(model, r, P)
    g = torch.Generator().manual_seed(seed)
    ids = [torch.randint(0, model.config.vocab_size, (mb, seq), generator=g).to(ctx.device) for _ in range(M)]
    hidden = (mb, seq, model.config.hidden_size)
    ranks = list(range(P))
    forward_group, backward_group = dist.new_group(ranks), dist.new_group(ranks)
    clock = OpClock(ctx)

    def batch(order, grads: bool):
        acts, outs, sends, marks = {}, {}, [], []
        clock.begin()
        for kind, m in order:
            if kind == "F":
                if stage.first:
                    x = ids[m]
                else:
                    x = torch.empty(hidden, device=ctx.device, dtype=dtype)
                    dist.recv(x, r - 1, group=forward_group)  # the compute stream waits for it; the host does not
                    x.requires_grad_(grads)
                t0 = clock.mark()
                with torch.set_grad_enabled(grads):
                    y = stage.forward(x)
                marks.append(((kind, m), t0, clock.mark()))
                acts[m], outs[m] = x, y
                if not stage.last:
                    out = y.detach().contiguous()
                    sends.append((dist.isend(out, r + 1, group=forward_group), out))
            else:
                y = outs.pop(m)
                if stage.last:
                    grad = torch.ones_like(y) / y.numel()
                else:
                    grad = torch.empty(hidden, device=ctx.device, dtype=dtype)
                    dist.recv(grad, r + 1, group=backward_group)
                t0 = clock.mark()
                torch.autograd.backward(y, grad)
                marks.append(((kind, m), t0, clock.mark()))
                x = acts.pop(m)
                if not stage.first:
                    gx = x.grad.contiguous()
                    sends.append((dist.isend(gx, r - 1, group=backward_group), gx))
        for handle, _ in sends:
            handle.wait()
        return clock.resolve(marks), outs

    transfer_ns = transfer_time(ctx, hidden, dtype)
    for name in names:
        order = schedules.make(name, P, M, backward)[r]
        for _ in range(warmup):
            batch(order, backward)
        reps = []
        for _ in range(repetitions):
            timeline, _ = batch(order, backward)
            timelines = [None] * P
            dist.all_gather_object(timelines, timeline)
            busy = [sum(e - s for _, s, e in tl) for tl in timelines]
            reps.append(dict(bottleneck=schedules.bottleneck_bubble(timelines),
                             mean=schedules.bubble_ratio(timelines), stages=schedules.stage_bubbles(timelines),
                             makespan=schedules.makespan(timelines), busy=busy))
        mid = lambda key: statistics.median(x[key] for x in reps)  # noqa: E731
        busy = [statistics.median(x["busy"][s] for x in reps) for s in range(P)]
        makespan = mid("makespan")
        messages = (P - 1) * M * (2 if backward else 1)
        ctx.record("pp", schedule=name, pipeline_parallel_size=P, micro_batches=M, micro_batch_size=mb,
                   sequence_length=seq, backward=backward, pipeline_bubble_ratio=mid("bottleneck"),
                   analytic_bubble_ratio=schedules.analytic_bubble(P, M),
                   bubble_ratio_min=min(x["bottleneck"] for x in reps),
                   bubble_ratio_max=max(x["bottleneck"] for x in reps),
                   mean_stage_bubble_ratio=mid("mean"),
                   stage_bubble_ratios=[statistics.median(x["stages"][s] for x in reps) for s in range(P)],
                   stage_balance=max(busy) / (sum(busy) / P) if sum(busy) else None,
                   makespan_ms=makespan / 1e6, stage_busy_ms=[b / 1e6 for b in busy],
                   warmup_batches=warmup, repetitions=repetitions, timing="cuda-events" if ctx.on_cuda else "host",
                   transfer_ms_per_message=transfer_ns / 1e6, messages=messages,
                   communication_overhead=transfer_ns * messages / makespan if makespan else None,
                   model=model_id, tiny=bool(small or c.get("tiny")), correct=None)
    # check the forward result once, forward-only, against the unsplit model
    _, outs = batch(schedules.gpipe(P, M, backward=False)[r], False)
    correct = True
    if stage.last:
        for m in range(M):
            with torch.no_grad():
                ref, _ = model(ids[m], None, use_cache=False)
            correct = correct and bool(torch.allclose(outs[m].float(), ref.float(), rtol=1e-3, atol=1e-4))
    correct = ctx.all_true(correct)
    ctx.record("pp_check", outputs_match_unsplit_model=correct, correct=correct)


def transfer_time(ctx: Context, shape, dtype) -> int:
    """Median time to send one activation from stage 0 to stage 1 (0 with one stage)."""
    if ctx.world < 2:
        return 0
    buf = torch.ones(shape, device=ctx.device, dtype=dtype)

    def op():
        if ctx.rank == 0:
            dist.send(buf, 1)
        elif ctx.rank == 1:
            dist.recv(buf, 0)
    times = ctx.time_op(op, 1, 5)
    return ctx.slowest(int(statistics.median(times)) if ctx.rank < 2 else 0)
