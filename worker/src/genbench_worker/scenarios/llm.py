"""Causal-LM generation (family opt): prefill, then greedy decode with the KV cache.

One iteration for `batch_size` sequences of `prompt_tokens` ids:
    prefill: the forward over the prompt + greedy pick of the first token   → prefill_ns = ttft_ns
    output_tokens - 1 decode steps, one token per sequence each             → decode_token_ns[i]
    e2e from the start of prefill to the last token.
`tokens` = batch_size × output_tokens; `step_ns` is empty and `images` 0.

The prompt ids are drawn from the case seed (the prompt text is not tokenized: with random weights
only the count matters, and it must be exactly `prompt_tokens`). Greedy picks stay on the device, so
no step waits for the host.
"""

from __future__ import annotations

from typing import Any

import torch

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

    def prepare(self) -> None:
        case, knobs = self.work, self.case.knobs
        if knobs.cuda_graphs:
            raise Unsupported("cuda_graphs is not supported for LLM decoding here (the KV cache grows every step)")
        if knobs.compile and not hasattr(torch, "compile"):
            raise Unsupported("compile needs torch.compile (torch >= 2.0); this is torch %s" % torch.__version__)
        config: Any = getattr(self.model, "config", None)
        limit = getattr(config, "max_position_embeddings", None)
        if limit is not None and case.prompt_tokens + case.output_tokens > limit:
            raise Unsupported("prompt_tokens + output_tokens = %d exceeds the model's %d positions"
                              % (case.prompt_tokens + case.output_tokens, limit))
        if knobs.compile:
            compiled = self.loaded.extras.get("compiled_forward")
            if compiled is None:
                compiled = torch.compile(self.model, dynamic=True)
                self.loaded.extras["compiled_forward"] = compiled
            self.forward = compiled
            self._generate(self._prompt())  # compile prefill and decode shapes before measuring

    # ------------------------------------------------------------------ work (flops.py), before prepare()

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

    def iterate(self) -> IterationResult:
        input_ids = self._prompt()
        timer = self.clock.iteration()
        timer.start()
        self._generate(input_ids, timer)
        timer.stop()
        times = timer.finish()
        prefill = times["prefill"][0]
        return IterationResult(e2e_ns=times["e2e"][0], images=0, ttft_ns=prefill, prefill_ns=prefill,
                               decode_token_ns=times.get("decode_token", []),
                               tokens=self.case.batch_size * self.work.output_tokens)


class _NoPhase:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _no_phase(name):
    return _NoPhase()
