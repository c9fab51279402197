"""`pipeline-diffusion` (seed 001): the SVD UNet's denoising steps split across N ranks, samples streamed through.

Rank k runs steps k·S/N … (k+1)·S/N − 1 of every sample and sends the latent to rank k+1; rank 0 starts each
sample from seeded noise, the last rank keeps the result. While rank k works on sample s, rank k−1 is already on
sample s+1: after the fill, one sample leaves the pipeline every S/N steps. Every rank builds the same model from
the same seed (the worker's own UNetSpatioTemporalConditionModel; its tiny configuration under --simulate) and
computes the same conditioning (deterministic random image embedding and image latents, fps, motion bucket), so
only the latent travels. No classifier-free guidance: one UNet call per step.

Figures per GPU count: fill time (first sample out), total time, per-sample time (total / samples), steady-state
time per sample and throughput excluding the fill ((last − first) / (samples − 1)), and each stage's busy time.
Check: the last rank denoises sample 0 once more through all S steps alone; the pipelined latent must equal it.
"""
from __future__ import annotations

from typing import List

import torch
import torch.distributed as dist

from .. import schedulers
from ..models.family import Family
from .context import Context

SVD = "stabilityai/stable-video-diffusion-img2vid-xt"


class Denoiser:
    """The model, conditioning and scheduler shared by every stage (identical on every rank)."""

    def __init__(self, ctx: Context, c: dict):
        small = ctx.simulate
        self.steps = int(c.get("total_steps", 4 if small else 28))
        b, ch, f, h, w = [int(v) for v in c.get("latent_shape", [1, 4, 2, 8, 8] if small else [1, 4, 14, 64, 64])]
        self.seed = int(c.get("seed", 0))
        dtype = ctx.dtype()
        self.model = ctx.build(c.get("model_id", SVD))
        if not self.model.family.is_video:
            raise ValueError("pipeline-diffusion runs the SVD UNet; %r is a %s model" % (c.get("model_id"), self.model.family))
        if ch != self.model.latent_channels:
            raise ValueError("latent shape C must be %d, was %d" % (self.model.latent_channels, ch))
        self.shape = (b, f, ch, h, w)  # the UNet's layout [B, F, C, H, W]
        self.device, self.dtype = ctx.device, dtype
        s = self.model.vae_scale_factor
        self.cond = self.model.encode_prompt(torch.zeros(b, 1, dtype=torch.long), height=h * s, width=w * s, frames=f,
                                             fps=int(c.get("fps", 6)), motion_bucket_id=int(c.get("motion_bucket_id", 127)))
        self.scheduler = schedulers.make("euler", self.steps, "v_prediction", family=Family.SVD)
        self.timesteps = self.scheduler.timesteps.to(ctx.device)

    def noise(self, sample: int) -> torch.Tensor:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + sample)
        x = torch.randn(self.shape, generator=g) * self.scheduler.init_noise_sigma
        return x.to(self.device, self.dtype)

    @torch.no_grad()
    def run_steps(self, latents: torch.Tensor, first: int, last: int) -> torch.Tensor:
        for i in range(first, last):
            model_in = self.scheduler.scale_model_input(latents, i)
            pred = self.model.unet_forward(model_in, self.timesteps[i], self.cond)
            latents = self.scheduler.step(pred, i, latents)
        return latents


def stream(ctx: Context, d: Denoiser, samples: int):
    """Runs `samples` through the pipeline; returns (busy ns of this stage, completion ns per sample on the last
    rank relative to its start, outputs on the last rank)."""
    n, r = ctx.world, ctx.rank
    per = d.steps // n
    first, last = r * per, (r + 1) * per
    busy, done, outputs = 0, [], []
    pending = None
    buf = torch.empty(d.shape, device=d.device, dtype=d.dtype)
    dist.barrier()
    ctx.sync()
    t0 = ctx.now_ns()
    for s in range(samples):
        if r == 0:
            x = d.noise(s)
        else:
            dist.recv(buf, r - 1)
            x = buf.clone()
        ctx.sync()
        b0 = ctx.now_ns()
        x = d.run_steps(x, first, last)
        ctx.sync()
        busy += ctx.now_ns() - b0
        if r < n - 1:
            if pending is not None:
                pending.wait()
            out = x.contiguous()
            pending = (dist.isend(out, r + 1), out)[0]
        else:
            done.append(ctx.now_ns() - t0)
            outputs.append(x)
    if pending is not None:
        pending.wait()
    return busy, done, outputs


def run(ctx: Context) -> None:
    c = ctx.config
    d = Denoiser(ctx, c)
    n, r = ctx.world, ctx.rank
    if d.steps % n:
        raise ValueError("total_steps %d does not divide by %d GPUs" % (d.steps, n))
    samples = int(c.get("num_samples", 3 if ctx.simulate else 10))
    if samples < 1:
        raise ValueError("num_samples must be >= 1, was %d" % samples)
    warmup = int(c.get("warmup_samples", 1))
    if warmup:
        stream(ctx, d, warmup)
    busy, done, outputs = stream(ctx, d, samples)

    last = n - 1
    correct = True
    if r == last and c.get("verify", True):
        alone = d.run_steps(d.noise(0), 0, d.steps)
        correct = bool(torch.equal(alone, outputs[0]) if not ctx.on_cuda else
                       torch.allclose(alone.float(), outputs[0].float(), rtol=1e-3, atol=1e-3))
    if r == last and c.get("output_path"):
        torch.save(torch.stack([o.float().cpu() for o in outputs]), c["output_path"])
    correct = ctx.all_true(correct)

    busy_all = torch.zeros(n, dtype=torch.float64, device=ctx.device)
    busy_all[r] = float(busy)
    dist.all_reduce(busy_all)
    completions = torch.zeros(samples, dtype=torch.float64, device=ctx.device)
    if r == last:
        completions.copy_(torch.tensor(done, dtype=torch.float64))
    dist.broadcast(completions, last)
    if r != 0:
        return
    comp: List[float] = [v / 1e9 for v in completions.tolist()]
    total = comp[-1]
    steady = (comp[-1] - comp[0]) / (samples - 1) if samples > 1 else None
    per = d.steps // n
    for k in range(n):
        ctx.record("stage", gpu_count=n, stage=k, first_step=k * per, last_step=(k + 1) * per - 1,
                   busy_sec=busy_all[k].item() / 1e9, utilization=busy_all[k].item() / 1e9 / total if total else None)
    ctx.record("pipeline", gpu_count=n, total_time_sec=total, per_sample_sec=total / samples, fill_time_sec=comp[0],
               steady_state_sec_per_sample=steady, steady_state_samples_per_sec=1.0 / steady if steady else None,
               num_samples=samples, total_steps=d.steps, steps_per_gpu=per,
               latent_shape=[d.shape[0], d.shape[2], d.shape[1], d.shape[3], d.shape[4]],
               max_stage_busy_sec=max(busy_all.tolist()) / 1e9, model_id=c.get("model_id", SVD),
               tiny=bool(ctx.simulate or c.get("tiny")), correct=correct)
