"""Issue 18 goal 4: genbench's OPT decode against Hugging Face transformers, side by side in one process on one GPU.

OPT-1.3b dimensions (transformers' OPTConfig of facebook/opt-1.3b, built from the configuration: random weights from a
seed, no download), float16, batch 8, 128 prompt + 64 output tokens, greedy. One set of weights: transformers' model is
built first and its state dict loaded into genbench's OPT (the parameter names are transformers'). Peers:

  genbench-eager      the worker's LLMScenario, cuda_graphs off: growing tuple KV cache, step by step
  genbench-graphs     the worker's LLMScenario, cuda_graphs on (what auto picks on CUDA): static cache, CUDA graphs
  genbench-compile    the worker's LLMScenario, compile on + cuda_graphs on (--compile on): two compiles, then graphs
  hf-generate         transformers `generate`, default (dynamic) cache
  hf-static-compile   transformers `generate(cache_implementation="static")`, which compiles the decoding forward on
                      CUDA (transformers' auto-compile of a static cache); its first call (the compile) is reported

Every peer runs the case once to warm up (more for the compiled ones), then `--trials` trials, interleaved (trial t runs
every peer before trial t + 1, so drift spreads over all), each of `--iterations` timed calls. genbench figures come
from the scenario's own CUDA-event phases (TTFT = prefill, TPOT = each decode step, e2e). transformers' figures: e2e
between CUDA events around `generate`, TTFT = `generate(max_new_tokens=1)` timed the same way, TPOT = (e2e - TTFT) /
(output - 1). tokens/s = batch x output / e2e for every peer. Greedy tokens: genbench graphs and compile against
genbench eager, and each against transformers `generate`.

A peer that fails is reported with its error; the others still run. JSON goes to OUT (a file), the table to stdout,
progress to stderr.

    python3 bench/llm_peer.py OUT.json [--trials 5] [--iterations 10] [--skip genbench-compile,...]
"""

import argparse
import json
import os
import statistics
import sys
import time
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "worker", "src"))

import torch  # noqa: E402

from genbench_worker.case import Case  # noqa: E402
from genbench_worker.models import registry  # noqa: E402
from genbench_worker.scenarios.llm import LLMScenario  # noqa: E402

PEERS = ("genbench-eager", "genbench-graphs", "genbench-compile", "hf-generate", "hf-static-compile")


def log(message):
    print("[llm_peer %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else None


def cuda_ms(fn):
    """(result, ms) of fn() between two CUDA events on the current stream."""
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    out = fn()
    end.record()
    end.synchronize()
    return out, start.elapsed_time(end)


# ---------------------------------------------------------------------------------------------- models

def build_models(args):
    from transformers import OPTConfig, OPTForCausalLM  # noqa: PLC0415

    import transformers  # noqa: PLC0415

    cfg = OPTConfig(vocab_size=50272, hidden_size=2048, num_hidden_layers=24, ffn_dim=8192, num_attention_heads=32,
                    max_position_embeddings=2048, word_embed_proj_dim=2048, do_layer_norm_before=True,
                    activation_function="relu", dropout=0.0, attention_dropout=0.0, torch_dtype="float16")
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    with torch.device("cuda"):
        hf = OPTForCausalLM(cfg)
    hf = hf.to(torch.float16).eval()
    hf.generation_config.eos_token_id = None  # always exactly `output` new tokens: random weights may pick EOS
    hf.generation_config.pad_token_id = 1
    log("transformers %s OPT-1.3b built in %.1f s (%d parameters)" % (
        transformers.__version__, time.perf_counter() - started, sum(p.numel() for p in hf.parameters())))
    gb = registry.build("facebook/opt-1.3b", device="cuda", dtype=torch.float16)
    missing, unexpected = gb.load_state_dict(hf.state_dict(), strict=False)
    missing = [k for k in missing if not k.endswith("lm_head.weight")]
    if missing or unexpected:
        raise SystemExit("genbench OPT does not take transformers' state dict: missing %s, unexpected %s"
                         % (missing[:5], unexpected[:5]))
    gb.tie_weights()
    log("genbench OPT loaded with the same weights")
    return hf, gb, transformers.__version__


# ---------------------------------------------------------------------------------------------- peers

class GenbenchPeer:
    def __init__(self, name, model, args, cuda_graphs, compile_):
        self.name = name
        case = Case.build(id=name, model="facebook/opt-1.3b", batch_size=args.batch, prompt_tokens=args.prompt,
                          output_tokens=args.output, precision="float16", cuda_graphs=cuda_graphs, compile=compile_,
                          seed=args.seed).resolved("cuda", "opt")
        self.knobs = {"cuda_graphs": case.knobs.cuda_graphs, "compile": case.knobs.compile}
        self.scenario = LLMScenario(case, types.SimpleNamespace(model=model, extras={}), "cuda")
        torch.cuda.synchronize()
        before = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        started = time.perf_counter()
        self.scenario.prepare()
        torch.cuda.synchronize()
        self.prepare_s = time.perf_counter() - started
        self.prepare_peak_extra_bytes = torch.cuda.max_memory_allocated() - before
        self.held_bytes = torch.cuda.memory_allocated() - before  # static cache + graph pool kept for the case

    def prompt(self):
        return self.scenario._prompt()

    def once(self):
        r = self.scenario.iterate()
        return {"e2e_ms": r.e2e_ns / 1e6, "ttft_ms": r.ttft_ns / 1e6,
                "tpot_ms": median(r.decode_token_ns) / 1e6 if r.decode_token_ns else None}

    def tokens(self):
        s = self.scenario
        if s.decoder is not None:
            s.iterate()
            return s.decoder.output().cpu()
        from genbench_worker.scenarios.diffusion import inference_context  # noqa: PLC0415

        with inference_context():  # the eager path's own calls (LLMScenario._generate), keeping every token
            logits, past = s.forward(s._prompt(), past_key_values=None, use_cache=True)
            token = logits[:, -1, :].argmax(dim=-1, keepdim=True)
            out = [token]
            for _ in range(s.work.output_tokens - 1):
                logits, past = s.forward(token, past_key_values=past, use_cache=True)
                token = logits[:, -1, :].argmax(dim=-1, keepdim=True)
                out.append(token)
        return torch.cat(out, dim=1).cpu()

    def close(self):
        self.scenario.close()


class HfPeer:
    def __init__(self, name, model, prompt_ids, args, static):
        self.name = name
        self.model, self.args, self.static = model, args, static
        self.ids = prompt_ids
        self.mask = torch.ones_like(prompt_ids)
        self.knobs = {"cache_implementation": "static" if static else "dynamic"}
        started = time.perf_counter()
        _, first_ms = cuda_ms(lambda: self._generate(args.output))
        self.first_call_s = time.perf_counter() - started
        log("%s: first call %.1f s%s" % (name, self.first_call_s, " (compiles the decoding forward)" if static else ""))
        self.prepare_s = self.first_call_s

    def _generate(self, new_tokens):
        kwargs = dict(attention_mask=self.mask, max_new_tokens=new_tokens, do_sample=False, num_beams=1)
        if self.static:
            kwargs["cache_implementation"] = "static"
        with torch.inference_mode():
            return self.model.generate(self.ids, **kwargs)

    def once(self):
        _, ttft = cuda_ms(lambda: self._generate(1))
        out, e2e = cuda_ms(lambda: self._generate(self.args.output))
        if out.shape[1] != self.ids.shape[1] + self.args.output:
            raise RuntimeError("generate stopped after %d tokens, not %d" % (out.shape[1] - self.ids.shape[1], self.args.output))
        return {"e2e_ms": e2e, "ttft_ms": ttft, "tpot_ms": (e2e - ttft) / max(1, self.args.output - 1)}

    def tokens(self):
        return self._generate(self.args.output)[:, self.ids.shape[1]:].cpu()

    def close(self):
        pass


# ---------------------------------------------------------------------------------------------- run

def prompt_ids(model, args):
    """The seeded prompt ids genbench's scenario feeds (so every peer decodes the same prompt)."""
    case = Case.build(id="prompt", model="facebook/opt-1.3b", batch_size=args.batch, prompt_tokens=args.prompt,
                      output_tokens=args.output, seed=args.seed)
    return LLMScenario(case, types.SimpleNamespace(model=model, extras={}), "cuda")._prompt()


def summarise(trials, args):
    """Per trial the medians of its iterations; overall the median over trials and their spread."""
    per_trial = []
    for its in trials:
        e2e = median([i["e2e_ms"] for i in its])
        per_trial.append({"e2e_ms": e2e, "ttft_ms": median([i["ttft_ms"] for i in its]),
                          "tpot_ms": median([i["tpot_ms"] for i in its if i["tpot_ms"] is not None]),
                          "tokens_per_s": args.batch * args.output / (e2e / 1e3), "iterations": len(its)})
    if not per_trial:
        return {"trials": []}
    tps = [t["tokens_per_s"] for t in per_trial]
    return {"trials": per_trial, "tokens_per_s": median(tps), "tokens_per_s_min": min(tps), "tokens_per_s_max": max(tps),
            "e2e_ms": median([t["e2e_ms"] for t in per_trial]), "ttft_ms": median([t["ttft_ms"] for t in per_trial]),
            "tpot_ms": median([t["tpot_ms"] for t in per_trial if t["tpot_ms"] is not None])}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", help="JSON file to write")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--prompt", type=int, default=128)
    p.add_argument("--output", type=int, default=64)
    p.add_argument("--trials", type=int, default=5)
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--skip", default="", help="comma-separated peers to leave out (%s)" % ", ".join(PEERS))
    args = p.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("bench/llm_peer.py needs a CUDA GPU")
    skip = {s for s in args.skip.split(",") if s}
    unknown = skip - set(PEERS)
    if unknown:
        raise SystemExit("--skip %s: unknown peer(s); known: %s" % (",".join(sorted(unknown)), ", ".join(PEERS)))
    result = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "cuda": torch.version.cuda,
              "batch": args.batch, "prompt_tokens": args.prompt, "output_tokens": args.output, "trials": args.trials,
              "iterations": args.iterations, "warmup": args.warmup, "peers": {}, "tokens": {}}

    def write():
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)

    hf, gb, result["transformers"] = build_models(args)
    peers = {}
    for name in PEERS:
        if name in skip:
            continue
        log("preparing %s" % name)
        try:
            if name == "genbench-eager":
                peer = GenbenchPeer(name, gb, args, False, False)
            elif name == "genbench-graphs":
                peer = GenbenchPeer(name, gb, args, "auto", False)
            elif name == "genbench-compile":
                peer = GenbenchPeer(name, gb, args, "auto", True)
            else:
                peer = HfPeer(name, hf, prompt_ids(gb, args), args, static=(name == "hf-static-compile"))
            for _ in range(args.warmup):
                peer.once()
            peers[name] = peer
            result["peers"][name] = {"knobs": peer.knobs, "prepare_s": round(peer.prepare_s, 2)}
            for key in ("held_bytes", "prepare_peak_extra_bytes"):
                if hasattr(peer, key):
                    result["peers"][name][key] = int(getattr(peer, key))
            result["tokens"][name] = peer.tokens().tolist()
        except Exception as e:  # one peer failing keeps the others
            traceback.print_exc(file=sys.stderr)
            result["peers"][name] = {"error": "%s: %s" % (type(e).__name__, e)}
        write()
    trials = {name: [] for name in peers}
    for t in range(args.trials):
        for name, peer in list(peers.items()):
            try:
                trials[name].append([peer.once() for _ in range(args.iterations)])
            except Exception as e:
                traceback.print_exc(file=sys.stderr)
                result["peers"][name]["error"] = "trial %d: %s: %s" % (t, type(e).__name__, e)
                del peers[name]
        log("trial %d of %d done" % (t + 1, args.trials))
    for name, its in trials.items():
        result["peers"][name].update(summarise(its, args))
    toks = result["tokens"]

    def same(a, b):
        if a not in toks or b not in toks:
            return None
        x, y = torch.tensor(toks[a]), torch.tensor(toks[b])
        return {"equal": bool(torch.equal(x, y)), "matching_fraction": float((x == y).float().mean())}

    result["greedy"] = {"%s == %s" % (a, b): same(a, b) for a, b in (
        ("genbench-graphs", "genbench-eager"), ("genbench-compile", "genbench-eager"),
        ("genbench-eager", "hf-generate"), ("genbench-graphs", "hf-generate"), ("hf-static-compile", "hf-generate"))}
    write()

    print("OPT-1.3b dims, float16, batch %d, %d prompt + %d output tokens, greedy; %s, torch %s, transformers %s"
          % (args.batch, args.prompt, args.output, result["device"], result["torch"], result["transformers"]))
    print("%d trials x %d iterations each (median of trial medians; tokens/s range over trials)" % (args.trials, args.iterations))
    print("%-19s %9s %9s %9s %10s %17s %9s" % ("peer", "TTFT ms", "TPOT ms", "e2e ms", "tokens/s", "range", "prep s"))
    base = (result["peers"].get("hf-static-compile") or {}).get("tokens_per_s")
    for name in PEERS:
        r = result["peers"].get(name)
        if r is None:
            continue
        if "tokens_per_s" not in r:
            print("%-19s %s" % (name, r.get("error", "no trials")))
            continue
        ratio = " (%.2fx hf-static-compile)" % (r["tokens_per_s"] / base) if base else ""
        print("%-19s %9.2f %9.2f %9.1f %10.0f %8.0f-%-8.0f %9.1f%s" % (
            name, r["ttft_ms"], r["tpot_ms"], r["e2e_ms"], r["tokens_per_s"], r["tokens_per_s_min"],
            r["tokens_per_s_max"], r["prepare_s"], ratio))
    for pair, verdict in result["greedy"].items():
        print("greedy tokens %s: %s" % (pair, "n/a" if verdict is None else
              "equal" if verdict["equal"] else "differ (%.1f %% match)" % (100 * verdict["matching_fraction"])))
    log("wrote %s" % args.out)


if __name__ == "__main__":
    main()
