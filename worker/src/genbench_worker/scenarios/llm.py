"""Causal-LM generation (family opt): prefill, then greedy decode with the KV cache.

One iteration for `batch_size` sequences of `prompt_tokens` ids:
    prefill: the forward over the prompt + greedy pick of the first token   → prefill_ns = ttft_ns
    output_tokens - 1 decode steps, one token per sequence each             → decode_token_ns[i]
    e2e from the start of prefill to the last token.
`tokens` = batch_size × output_tokens; `step_ns` is empty and `images` 0.

The prompt ids are drawn from the case seed (the prompt text is not tokenized: with random weights
only the count matters, and it must be exactly `prompt_tokens`). Greedy picks stay on the device, so
no step waits for the host.

Three paths, by knob (the `loaded` event's knobs say which ran):

* eager (`cuda_graphs` off, `compile` off): the model called step by step with a growing tuple KV cache.
* CUDA-graph decode (`cuda_graphs` on; `auto` on CUDA): a `StaticDecoder` over a static KV cache of
  prompt + output tokens and static token buffers; the prefill and every decode step are captured once each in
  a CUDA graph (one memory pool, captured and replayed in the same order) and each iteration replays them. A
  step's graph holds its own start position and key length, so its kernels and shapes are eager's (greedy tokens
  equal eager's on the CPU; on an H100 with random weights float16 near-ties make even eager's tokens differ from
  run to run, bench/RESULTS.md §17); the argmax writes the next token into its static buffer inside the graph.
* compiled (`compile` on): the prefill and one decode step compiled with fixed shapes (the decode step attends
  over the whole static cache with a mask, so one compile serves every step: two compiles in all), then captured
  as above when `cuda_graphs` is on, else called as is.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, List, Optional

import torch

from ..devices import device_type, is_cuda
from ..measure import flops
from ..failures import Unsupported
from ..measure.timing import clock_for
from ..case import Llm
from . import IterationResult
from .diffusion import inference_context


class LLMScenario:
    profiled_phase = "decode_token"  # profiling.py: each decode step (prefill is not profiled)

    def __init__(self, case, loaded, device):
        if not isinstance(case.workload, Llm):
            raise ValueError("case %s: %s is an LLM, whose case needs an llm workload with prompt_tokens and"
                             " output_tokens (got %s)" % (case.id, case.model, case.workload.KIND))
        self.case = case
        self.work = case.workload
        self.loaded = loaded
        self.model = loaded.model
        self.device = torch.device(device)
        self.clock = clock_for(self.device)
        self.forward = self.model
        self.decoder: Optional[StaticDecoder] = None
        self.graphs: Optional[DecodeGraphs] = None
        self.graph_api: Any = None  # torch.cuda unless a test injects a stand-in

    def prepare(self) -> None:
        case, knobs = self.work, self.case.knobs
        if knobs.cuda_graphs and not is_cuda(self.device) and self.graph_api is None:
            raise Unsupported("cuda_graphs needs a CUDA device; this case runs on %s" % device_type(self.device))
        if knobs.compile and not hasattr(torch, "compile"):
            raise Unsupported("compile needs torch.compile (torch >= 2.0); this is torch %s" % torch.__version__)
        config: Any = getattr(self.model, "config", None)
        limit = getattr(config, "max_position_embeddings", None)
        if limit is not None and case.prompt_tokens + case.output_tokens > limit:
            raise Unsupported("prompt_tokens + output_tokens = %d exceeds the model's %d positions"
                              % (case.prompt_tokens + case.output_tokens, limit))
        if not (knobs.cuda_graphs or knobs.compile):
            return  # eager, growing tuple cache
        if not hasattr(self.model, "new_static_cache"):
            raise Unsupported("cuda_graphs and compile need a model with a static KV cache; %s has none"
                              % type(self.model).__name__)
        with inference_context():
            self.decoder = StaticDecoder(self.model, self.case.batch_size, case.prompt_tokens, case.output_tokens,
                                         masked=knobs.compile)
            self.decoder.prompt.copy_(self._prompt())
            if knobs.compile:
                self.decoder.compile(self.loaded.extras, log=_log)
            if knobs.cuda_graphs:
                started = time.perf_counter()
                self.graphs = DecodeGraphs(self.decoder, self.graph_api or torch.cuda)
                _log("captured %d CUDA graphs (prefill + %d decode steps, one memory pool) in %.1f s"
                     % (len(self.graphs.graphs), len(self.graphs.graphs) - 1, time.perf_counter() - started))
            if is_cuda(self.device):
                torch.cuda.synchronize(self.device)

    # ------------------------------------------------------------------ work (flops.py), after measuring

    def mean_context(self) -> int:
        """Tokens in the KV cache at the middle of decoding: the context the average decode step attends over."""
        return self.work.prompt_tokens + self.work.output_tokens // 2

    def work_key(self) -> tuple:
        c = self.case
        return ("llm", c.backend, c.model, c.tiny, c.precision, c.batch_size, self.work.prompt_tokens, self.work.output_tokens)

    def count_work(self, count):
        """(FLOPs of one decode step for the batch, parameter + KV cache bytes it reads, at the mean context; FLOPs of
        the prefill over the prompt for the batch)."""
        config: Any = getattr(self.model, "config", None)
        limit = getattr(config, "max_position_embeddings", None)
        context = self.mean_context()
        if limit is not None and context + 1 > limit:
            return None
        token = torch.zeros(self.case.batch_size, 1, dtype=torch.long, device=self.device)
        with inference_context():
            past = self._cache_of(context)
            step = count(lambda: self.model(token, past_key_values=past, use_cache=True))
            read_bytes = flops.parameter_bytes(self.model) + flops.tensor_bytes(past)
            del past
            prompt = self._prompt()  # the prefill each request runs: no larger than the case's own
            prefill = count(lambda: self.model(prompt, past_key_values=None, use_cache=True))
        return step, read_bytes, prefill

    def _cache_of(self, context: int):
        """A KV cache holding `context` tokens: zeros of the model's cache layout where the config describes it
        (the FLOPs depend on shapes only, and a prefill over the whole context could raise the case's memory
        peak above what the case itself needs), else a real prefill."""
        case, config = self.case, getattr(self.model, "config", None)
        layers = getattr(config, "num_hidden_layers", None)
        heads = getattr(config, "num_attention_heads", None)
        hidden = getattr(config, "hidden_size", None)
        if layers and heads and hidden:
            dtype = next(self.model.parameters()).dtype
            shape = (case.batch_size, heads, context, hidden // heads)
            return tuple((torch.zeros(shape, dtype=dtype, device=self.device),
                          torch.zeros(shape, dtype=dtype, device=self.device)) for _ in range(layers))
        vocab = int(getattr(config, "vocab_size", 0) or 50272)
        generator = torch.Generator().manual_seed(case.measure.seed)
        ids = torch.randint(0, vocab, (case.batch_size, context), generator=generator).to(self.device)
        _, past = self.model(ids, past_key_values=None, use_cache=True)
        return past

    def work_for(self, parts):
        """A request: the prefill, then output_tokens - 1 decode steps (the prefill picks the first token)."""
        step, read_bytes, prefill = parts
        return flops.WorkCount(flops_per_request=prefill + (self.work.output_tokens - 1) * step,
                               flops_per_token=step // self.case.batch_size, decode_bytes_per_step=read_bytes,
                               prefill_flops=prefill)

    def close(self) -> None:
        self.forward = self.model
        self.graphs = None
        self.decoder = None

    def _prompt(self) -> torch.Tensor:
        config = getattr(self.model, "config", None)
        vocab = int(getattr(config, "vocab_size", 0) or 50272)
        generator = torch.Generator().manual_seed(self.case.measure.seed)
        ids = torch.randint(0, vocab, (self.case.batch_size, self.work.prompt_tokens), generator=generator)
        return ids.to(self.device)

    def _generate(self, input_ids: torch.Tensor, timer=None):
        phase = timer.phase if timer is not None else _no_phase
        with inference_context():
            with phase("prefill"):
                logits, past = self.forward(input_ids, past_key_values=None, use_cache=True)
                token = logits[:, -1, :].argmax(dim=-1, keepdim=True)
            for _ in range(self.work.output_tokens - 1):
                with phase("decode_token"):
                    logits, past = self.forward(token, past_key_values=past, use_cache=True)
                    token = logits[:, -1, :].argmax(dim=-1, keepdim=True)
        return token

    def _generate_static(self, timer) -> None:
        """The static-cache path: each phase replayed from its graph (or called, without graphs)."""
        run = self.graphs.replay if self.graphs is not None else self.decoder.phase
        with inference_context():
            with timer.phase("prefill"):
                run(0)
            for i in range(1, self.decoder.phases):
                with timer.phase("decode_token"):
                    run(i)

    def iterate(self) -> IterationResult:
        input_ids = self._prompt()
        if self.decoder is not None:
            with inference_context():
                self.decoder.prompt.copy_(input_ids)  # the same seeded ids each time; outside the timed region
        timer = self.clock.iteration()
        timer.start()
        if self.decoder is not None:
            self._generate_static(timer)
        else:
            self._generate(input_ids, timer)
        timer.stop()
        times = timer.finish()
        prefill = times["prefill"][0]
        return IterationResult(e2e_ns=times["e2e"][0], images=0, ttft_ns=prefill, prefill_ns=prefill,
                               decode_token_ns=times.get("decode_token", []),
                               tokens=self.case.batch_size * self.work.output_tokens)


class StaticDecoder:
    """Greedy generation over a static KV cache from static buffers only, one phase at a time: phase 0 is the prefill
    of `prompt` (picking token 0), phase i (1 .. output_tokens - 1) the decode step that feeds token i - 1 and writes
    token i. A phase reads and writes only buffers allocated here, at fixed addresses and shapes, so it can be
    captured in a CUDA graph and replayed without the host.

    The cache holds prompt + output tokens (not the model's max_position_embeddings). Unmasked (the exact path),
    phase i runs `model(token, past_key_values=cache)` with the cache's length set to its start position: the same
    kernels and shapes as eager decoding with a growing cache. Masked (the compile path), decode steps call
    `model.decode_static` with a per-step position tensor and mask, one shape for every step.
    """

    def __init__(self, model, batch: int, prompt_tokens: int, output_tokens: int, masked: bool = False):
        param = next(model.parameters())
        device, self.masked = param.device, masked
        self.prompt_tokens, self.output_tokens = prompt_tokens, output_tokens
        self.cache = model.new_static_cache(batch, prompt_tokens + output_tokens)
        self.prompt = torch.zeros(batch, prompt_tokens, dtype=torch.long, device=device)
        # one buffer per token (each its own allocation: a compiled step sees the same alignment every time)
        self.tokens: List[torch.Tensor] = [torch.zeros(batch, 1, dtype=torch.long, device=device)
                                           for _ in range(output_tokens)]
        self.prefill_fn: Callable = model
        self.step_fn: Callable = model.decode_static if masked else model
        if masked:
            from ..models.opt import static_mask  # noqa: PLC0415

            length = self.cache.max_length
            self.positions = [torch.tensor([prompt_tokens + i - 1], device=device) for i in range(output_tokens)]
            self.masks = [static_mask(length, prompt_tokens + i - 1, param.dtype, device) for i in range(output_tokens)]

    @property
    def phases(self) -> int:
        return self.output_tokens

    def phase(self, i: int) -> None:
        if i == 0:
            self.cache.length = 0
            logits, _ = self.prefill_fn(self.prompt, past_key_values=self.cache, use_cache=True)
        elif self.masked:
            logits = self.step_fn(self.tokens[i - 1], self.cache, self.positions[i], self.masks[i])
        else:
            self.cache.length = self.prompt_tokens + i - 1
            logits, _ = self.step_fn(self.tokens[i - 1], past_key_values=self.cache, use_cache=True)
        self.tokens[i].copy_(logits[:, -1, :].argmax(dim=-1, keepdim=True))

    def run(self) -> torch.Tensor:
        """Every phase in order, eagerly; the greedy tokens [B, output_tokens]."""
        for i in range(self.phases):
            self.phase(i)
        return self.output()

    def output(self) -> torch.Tensor:
        return torch.cat(self.tokens, dim=1)

    def compile(self, extras: dict, log: Callable[[str], None], compiler: Optional[Callable] = None) -> None:
        """torch.compile the prefill and the (masked) decode step with fixed shapes, and run each once so both are
        compiled before anything is measured or captured: two compiles, whatever the number of output tokens. The
        compiled callables are kept in `extras` (the loaded model's), so a later case of the same model reuses them
        (a new shape recompiles)."""
        batch = self.prompt.shape[0]
        for name, attr, run, what in (
                ("compiled_opt_prefill", "prefill_fn", lambda: self.phase(0),
                 "prefill (batch %d x %d tokens, static cache %d)" % (batch, self.prompt_tokens, self.cache.max_length)),
                ("compiled_opt_decode_static", "step_fn", lambda: self.phase(1),
                 "decode step (batch %d x 1 token over the whole static cache of %d, masked: one shape for all %d"
                 " steps)" % (batch, self.cache.max_length, self.output_tokens - 1))):
            if attr == "step_fn" and self.output_tokens < 2:
                continue
            compiled = extras.get(name)
            if compiled is None:
                compiled = (compiler or torch.compile)(getattr(self, attr), dynamic=False)
                extras[name] = compiled
            setattr(self, attr, compiled)
            log("compiling %s ..." % what)
            started = time.perf_counter()
            run()
            if self.prompt.is_cuda:
                torch.cuda.synchronize(self.prompt.device)
            log("compiled %s in %.1f s" % (what.split(" (")[0], time.perf_counter() - started))


class DecodeGraphs:
    """One CUDA graph per phase of a `StaticDecoder` (the prefill, then each decode step), all in one memory pool,
    captured and replayed in the same order (what sharing a pool requires). `cuda` is torch.cuda (a stand-in in
    tests): every phase first runs eagerly on a side stream (lazy initialisation, cuBLAS handles, compiled kernels'
    autotuning stay out of the capture), then each is captured with `cuda.graph(g, pool=pool)`. The graphs keep no
    output tensor: each phase's result is its token, written into the decoder's static buffer, so the pool blocks
    of one phase's logits are free for the next capture."""

    def __init__(self, decoder: StaticDecoder, cuda: Any, warmup: int = 1):
        self.decoder = decoder
        side = cuda.Stream()
        side.wait_stream(cuda.current_stream())
        with cuda.stream(side):
            for _ in range(warmup):
                decoder.run()
        cuda.current_stream().wait_stream(side)
        self.pool = cuda.graph_pool_handle()
        self.graphs: List[Any] = []
        for i in range(decoder.phases):
            graph = cuda.CUDAGraph()
            with cuda.graph(graph, pool=self.pool):
                decoder.phase(i)
            self.graphs.append(graph)

    def replay(self, i: int) -> None:
        self.graphs[i].replay()


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _NoPhase:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _no_phase(name):
    return _NoPhase()
