"""`pp-overhead` (seed 002): OPT cut into P stages (one per rank), M micro-batches, GPipe and 1F1B schedules.

Stage s holds a contiguous share of the decoder layers (stage 0 also the embeddings, the last also the final norm
and LM head). Activations travel forward and their gradients backward (backward w.r.t. activations only: weights
are frozen) with non-blocking sends, so the schedule's order alone decides who waits. Each stage records the start
and end of every op on the host monotonic clock after a device synchronisation; the measured bubble ratio is
1 − Σ busy / (P × makespan) next to the analytic (P−1)/(M+P−1). Inter-stage transfer time: the median time to send
one activation between neighbours, times the messages per batch.
Check: the last stage's logits for every micro-batch equal the unsplit model's.
"""
from __future__ import annotations

import statistics

import torch
import torch.distributed as dist

from ..models import registry
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


def run(ctx: Context) -> None:
    c = ctx.config
    small = ctx.simulate
    dtype = torch.float32 if small or not ctx.on_cuda else getattr(torch, c.get("precision", "float16"))
    model_id = c.get("model", "facebook/opt-125m" if small else "facebook/opt-1.3b")
    seed = int(c.get("seed", 0))
    model = registry.build(model_id, tiny=small or bool(c.get("tiny")), device=ctx.device, dtype=dtype, seed=seed)
    P, r = ctx.world, ctx.rank
    M = int(c.get("micro_batches", 4 if small else 8))
    mb = int(c.get("micro_batch_size", 1 if small else 4))
    seq = int(c.get("sequence_length", 8 if small else 512))
    backward = bool(c.get("backward", True))
    names = c.get("schedules") or (["gpipe", "1f1b"] if backward else ["gpipe"])
    stage = Stage(model, r, P)
    g = torch.Generator().manual_seed(seed)
    ids = [torch.randint(0, model.config.vocab_size, (mb, seq), generator=g).to(ctx.device) for _ in range(M)]
    hidden = (mb, seq, model.config.hidden_size)

    def batch(order):
        acts, outs, sends, timeline = {}, {}, [], []
        for kind, m in order:
            if kind == "F":
                if stage.first:
                    x = ids[m]
                else:
                    x = torch.empty(hidden, device=ctx.device, dtype=dtype)
                    dist.recv(x, r - 1)
                    x.requires_grad_(backward)
                ctx.sync()
                t0 = ctx.now_ns()
                with torch.set_grad_enabled(backward):
                    y = stage.forward(x)
                ctx.sync()
                timeline.append(((kind, m), t0, ctx.now_ns()))
                acts[m], outs[m] = x, y
                if not stage.last:
                    out = y.detach().contiguous()
                    sends.append((dist.isend(out, r + 1), out))
            else:
                y = outs.pop(m)
                if stage.last:
                    grad = torch.ones_like(y) / y.numel()
                else:
                    grad = torch.empty(hidden, device=ctx.device, dtype=dtype)
                    dist.recv(grad, r + 1)
                ctx.sync()
                t0 = ctx.now_ns()
                torch.autograd.backward(y, grad)
                ctx.sync()
                timeline.append(((kind, m), t0, ctx.now_ns()))
                x = acts.pop(m)
                if not stage.first:
                    gx = x.grad.contiguous()
                    sends.append((dist.isend(gx, r - 1), gx))
        for handle, _ in sends:
            handle.wait()
        return timeline, outs

    transfer_ns = transfer_time(ctx, hidden, dtype)
    correct = True
    for name in names:
        order = schedules.make(name, P, M, backward)[r]
        for _ in range(int(c.get("warmup", 1))):
            batch(order)
        dist.barrier()
        timeline, outs = batch(order)
        if stage.last and not backward:
            for m in range(M):
                with torch.no_grad():
                    ref, _ = model(ids[m], None, use_cache=False)
                correct = correct and bool(torch.allclose(outs[m].float(), ref.float(), rtol=1e-3, atol=1e-4))
        timelines = [None] * P
        dist.all_gather_object(timelines, timeline)
        busy = [sum(e - s for _, s, e in tl) for tl in timelines]
        measured = schedules.bubble_ratio(timelines)
        makespan = max(e for tl in timelines for _, _, e in tl) - min(s for tl in timelines for _, s, _ in tl)
        messages = (P - 1) * M * (2 if backward else 1)
        ctx.record("pp", schedule=name, pipeline_parallel_size=P, micro_batches=M, micro_batch_size=mb,
                   sequence_length=seq, backward=backward, pipeline_bubble_ratio=measured,
                   analytic_bubble_ratio=schedules.analytic_bubble(P, M), makespan_ms=makespan / 1e6,
                   stage_busy_ms=[b / 1e6 for b in busy], transfer_ms_per_message=transfer_ns / 1e6,
                   messages=messages, communication_overhead=transfer_ns * messages / makespan if makespan else None,
                   model=model_id, tiny=bool(small or c.get("tiny")), correct=None)
    if not backward:
        correct = ctx.all_true(correct)
        ctx.record("pp_check", outputs_match_unsplit_model=correct, correct=correct)
    else:
        # backward w.r.t. activations only: check the forward result once, forward-only, against the unsplit model
        order = schedules.gpipe(P, M, backward=False)[r]
        backward = False
        _, outs = batch(order)
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
