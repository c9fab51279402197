"""`tp`: OPT with Megatron-style tensor parallelism (seed 002's TP communication test, on the worker's own OPT).

Each decoder layer is split over the TP ranks as Megatron-LM does: q/k/v and fc1 are column-parallel (each rank
holds its share of heads / FFN columns), out_proj and fc2 are row-parallel, followed by one all-reduce per block half
(attention, MLP) and the bias added once after it. Embeddings, layer norms and the LM head are replicated. Every
rank builds the full model from the same seed and keeps its shard, so TP=N computes what TP=1 computes.

Figures per TP size: prefill latency, decode tokens/s (greedy), the share of forward time spent in the
all-reduces, and (by the controller, across TP sizes) speed-up and scaling efficiency against TP=1.
Check: rank 0 runs the unsharded model on the same prompt; prefill logits must match within tolerance and the
greedy tokens must be identical.
"""
from __future__ import annotations

import statistics
from typing import List, Tuple

import torch
import torch.distributed as dist
import torch.nn.functional as F

from ..models.attention import attend, merge_heads, split_heads
from ..models.opt import POSITION_OFFSET
from .context import Context


class CollectiveClock:
    """Accumulates the time spent in all-reduces (CUDA events on GPU, resolved once at the end)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.host_ns = 0
        self.pairs: List[Tuple] = []
        self.count = 0

    def all_reduce(self, x: torch.Tensor) -> None:
        self.count += 1
        if self.ctx.world == 1:
            return
        if self.ctx.on_cuda:
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            dist.all_reduce(x)
            b.record()
            self.pairs.append((a, b))
        else:
            t0 = self.ctx.now_ns()
            dist.all_reduce(x)
            self.host_ns += self.ctx.now_ns() - t0

    def total_ns(self) -> int:
        self.ctx.sync()
        return self.host_ns + sum(int(a.elapsed_time(b) * 1e6) for a, b in self.pairs)


class TensorParallelOPT:
    def __init__(self, model, rank: int, world: int, clock: CollectiveClock):
        c = model.config
        if c.num_attention_heads % world or c.ffn_dim % world:
            raise ValueError("TP size %d must divide the %d heads and FFN width %d" % (world, c.num_attention_heads,
                                                                                        c.ffn_dim))
        self.model, self.config, self.clock = model, c, clock
        self.heads = c.num_attention_heads // world
        d = c.hidden_size
        hs, fs = d // world, c.ffn_dim // world
        cols = slice(rank * hs, (rank + 1) * hs)
        ffn = slice(rank * fs, (rank + 1) * fs)
        self.layers = []
        for layer in model.model.decoder.layers:
            a = layer.self_attn
            self.layers.append(dict(
                layer=layer,
                qkv=[(p.weight[cols].contiguous(), p.bias[cols].contiguous()) for p in (a.q_proj, a.k_proj, a.v_proj)],
                out_w=a.out_proj.weight[:, cols].contiguous(), out_b=a.out_proj.bias,
                fc1_w=layer.fc1.weight[ffn].contiguous(), fc1_b=layer.fc1.bias[ffn].contiguous(),
                fc2_w=layer.fc2.weight[:, ffn].contiguous(), fc2_b=layer.fc2.bias, backend=a.backend))

    def _attention(self, s, x, past, i):
        q, k, v = (split_heads(F.linear(x, w, b), self.heads) for w, b in s["qkv"])
        if past is not None:
            k = torch.cat([past[i][0], k], dim=2)
            v = torch.cat([past[i][1], v], dim=2)
        out = F.linear(merge_heads(attend(q, k, v, s["backend"], causal=True)), s["out_w"])
        self.clock.all_reduce(out)
        return out + s["out_b"], (k, v)

    def _mlp(self, s, h):
        L = s["layer"]
        h = F.linear(h, s["fc1_w"], s["fc1_b"])
        h = F.relu(h) if L.act == "relu" else F.gelu(h)
        h = F.linear(h, s["fc2_w"])
        self.clock.all_reduce(h)
        return h + s["fc2_b"]

    @torch.no_grad()
    def forward(self, ids: torch.Tensor, past=None):
        dec = self.model.model.decoder
        start = past[0][0].shape[2] if past is not None else 0
        x = dec.embed_tokens(ids)
        if dec.project_in is not None:
            x = dec.project_in(x)
        x = x + dec.embed_positions(torch.arange(start, start + ids.shape[1], device=ids.device) + POSITION_OFFSET)
        presents = []
        for i, s in enumerate(self.layers):
            L = s["layer"]
            h = L.self_attn_layer_norm(x) if L.pre_ln else x
            h, kv = self._attention(s, h, past, i)
            presents.append(kv)
            x = x + h
            if not L.pre_ln:
                x = L.self_attn_layer_norm(x)
            h = L.final_layer_norm(x) if L.pre_ln else x
            x = x + self._mlp(s, h)
            if not L.pre_ln:
                x = L.final_layer_norm(x)
        if dec.final_layer_norm is not None:
            x = dec.final_layer_norm(x)
        if dec.project_out is not None:
            x = dec.project_out(x)
        return self.model.lm_head(x), tuple(presents)


@torch.no_grad()
def generate(forward, ids: torch.Tensor, new_tokens: int, ctx: Context):
    """Greedy: (prefill logits, tokens [B, new], prefill ns, decode ns)."""
    ctx.sync()
    t0 = ctx.now_ns()
    logits, past = forward(ids, None)
    token = logits[:, -1:].argmax(-1)
    ctx.sync()
    t1 = ctx.now_ns()
    out = [token]
    for _ in range(new_tokens - 1):
        step, past = forward(token, past)
        token = step[:, -1:].argmax(-1)
        out.append(token)
    ctx.sync()
    return logits, torch.cat(out, dim=1), t1 - t0, ctx.now_ns() - t1


def run(ctx: Context) -> None:
    c = ctx.config
    small = ctx.simulate
    dtype = ctx.dtype()
    model_id = c.get("model", "facebook/opt-125m" if small else "facebook/opt-1.3b")
    seed = int(c.get("seed", 0))
    model = ctx.build(model_id)
    batch = int(c.get("batch_size", 2 if small else 8))
    prompt = int(c.get("prompt_tokens", 8 if small else 128))
    new = int(c.get("output_tokens", 4 if small else 64))
    if new < 1 or prompt < 1 or batch < 1:
        raise ValueError("batch_size, prompt_tokens and output_tokens must be >= 1")
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, model.config.vocab_size, (batch, prompt), generator=g).to(ctx.device)

    clock = CollectiveClock(ctx)
    tp = TensorParallelOPT(model, ctx.rank, ctx.world, clock)
    warmup = int(c.get("warmup", 1 if small else 3))
    iterations = int(c.get("iterations", 2 if small else 10))
    for _ in range(warmup):
        generate(tp.forward, ids, new, ctx)
    clock.host_ns, clock.pairs = 0, []
    prefill, decode = [], []
    for _ in range(iterations):
        logits, tokens, p_ns, d_ns = generate(tp.forward, ids, new, ctx)
        prefill.append(p_ns)
        decode.append(d_ns)
    comm_ns = clock.total_ns()

    correct, max_diff, same_tokens = True, 0.0, True
    if ctx.rank == 0:
        ref_logits, ref_tokens, _, _ = generate(lambda i, p: model(i, p, use_cache=True), ids, new, ctx)
        max_diff = float((ref_logits.float() - logits.float()).abs().max())
        tol = float(c.get("tolerance", 1e-4 if dtype == torch.float32 else 2e-2))
        same_tokens = bool(torch.equal(ref_tokens, tokens))
        correct = max_diff <= tol * max(1.0, float(ref_logits.float().abs().max())) and same_tokens
        if c.get("output_path"):
            torch.save({"logits": logits.float().cpu(), "tokens": tokens.cpu()}, c["output_path"])
    correct = ctx.all_true(correct)
    prefill_ns = ctx.slowest(int(statistics.median(prefill)))
    decode_ns = ctx.slowest(int(statistics.median(decode)))
    total_ns = ctx.slowest(sum(prefill) + sum(decode))
    comm_ns = ctx.slowest(comm_ns)
    decoded = batch * max(new - 1, 0)
    ctx.record("tp", tp_size=ctx.world, model=model_id, tiny=bool(small or c.get("tiny")), dtype=str(dtype).split(".")[-1],
               batch_size=batch, prompt_tokens=prompt, output_tokens=new, prefill_ms=prefill_ns / 1e6,
               decode_tokens_per_s=decoded / (decode_ns / 1e9) if decode_ns and decoded else None,
               decode_ms_per_token=decode_ns / 1e6 / max(new - 1, 1),
               collective_share=comm_ns / total_ns if total_ns else None,
               all_reduces_per_forward=2 * model.config.num_hidden_layers if ctx.world > 1 else 0,
               max_abs_diff=max_diff, tokens_match=same_tokens, correct=correct)
