"""Issue 18 goal 4: genbench's OPT decode against Hugging Face transformers, side by side in one process on one GPU.

OPT-1.3b dimensions (transformers' OPTConfig of facebook/opt-1.3b, built from the configuration: random weights from a
seed, no download), float16, batch 8, 128 prompt + 64 output tokens, greedy. One set of weights: transformers' model is
built first and its state dict loaded into genbench's OPT (the parameter names are transformers'). Peers:

  genbench-eager      the worker's LLMScenario, cuda_graphs off: growing tuple KV cache, step by step
  genbench-static-eager  the graphs' own computation (StaticDecoder phases) launched eagerly, without capture
  genbench-graphs     the worker's LLMScenario, cuda_graphs on (what auto picks on CUDA): static cache, CUDA graphs
  genbench-compile    the worker's LLMScenario, compile on + cuda_graphs on (--compile on): two compiles, then graphs
  hf-generate         transformers `generate`, default (dynamic) cache
  hf-static-compile   transformers `generate(cache_implementation="static")`, which compiles the decoding forward on
                      CUDA (transformers' auto-compile of a static cache); its first call (the compile) is reported

Every peer runs the case once to warm up (more for the compiled ones), then `--trials` trials, interleaved (trial t runs
every peer before trial t + 1, so drift spreads over all), each of `--iterations` timed calls. genbench figures come
from the scenario's own CUDA-event phases (TTFT = prefill, TPOT = each decode step, e2e). transformers' figures: e2e
between CUDA events around `generate`, TTFT to the event a logits processor records when the first token's logits are
there, TPOT the median between those events of consecutive tokens (no synchronisation inside `generate`). tokens/s = batch x output / e2e for every peer. Greedy tokens: genbench graphs and compile against
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

PEERS = ("genbench-eager", "genbench-static-eager", "genbench-graphs", "genbench-compile", "hf-generate", "hf-static-compile")


def log(message):
    print("[llm_peer %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------------------------------------- models

def build_models(args):
    """(transformers' model or None where transformers is missing, genbench's model with its weights, version)."""
    dtype = torch.float16 if args.device == "cuda" else torch.float32
    gb = registry.build(args.model, tiny=args.tiny, device=args.device, dtype=dtype, seed=args.seed)
    try:
        import transformers  # noqa: PLC0415
        from transformers import OPTConfig, OPTForCausalLM  # noqa: PLC0415
    except ImportError as e:
        log("no transformers (%s): genbench peers only, with the registry's seeded weights" % e)
        return None, gb, None
    c = gb.config  # the registry's OPT-1.3b dims are facebook/opt-1.3b's configuration
    cfg = OPTConfig(vocab_size=c.vocab_size, hidden_size=c.hidden_size, num_hidden_layers=c.num_hidden_layers,
                    ffn_dim=c.ffn_dim, num_attention_heads=c.num_attention_heads,
                    max_position_embeddings=c.max_position_embeddings, word_embed_proj_dim=c.embed_dim,
                    do_layer_norm_before=c.do_layer_norm_before, activation_function=c.activation_function,
                    dropout=0.0, attention_dropout=0.0)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    with torch.device(args.device):
        hf = OPTForCausalLM(cfg)
    hf = hf.to(dtype).eval()
    hf.generation_config.eos_token_id = None  # always exactly `output` new tokens: random weights may pick EOS
    hf.generation_config.pad_token_id = 1
    log("transformers %s %s built in %.1f s (%d parameters)" % (
        transformers.__version__, args.model, time.perf_counter() - started, sum(p.numel() for p in hf.parameters())))
    missing, unexpected = gb.load_state_dict(hf.state_dict(), strict=False)
    missing = [k for k in missing if not k.endswith("lm_head.weight")]
    if missing or unexpected:
        raise SystemExit("genbench OPT does not take transformers' state dict: missing %s, unexpected %s"
                         % (missing[:5], unexpected[:5]))
    gb.tie_weights()
    log("genbench OPT loaded with transformers' weights")
    return hf, gb, transformers.__version__


# ---------------------------------------------------------------------------------------------- peers

class GenbenchPeer:
    def __init__(self, name, model, args, cuda_graphs, compile_):
        self.name = name
        case = Case.build(id=name, model=args.model, batch_size=args.batch, prompt_tokens=args.prompt,
                          output_tokens=args.output, precision="float16", cuda_graphs=cuda_graphs, compile=compile_,
                          tiny=args.tiny, seed=args.seed).resolved(args.device, "opt")
        self.knobs = {"cuda_graphs": case.knobs.cuda_graphs, "compile": case.knobs.compile}
        self.scenario = LLMScenario(case, types.SimpleNamespace(model=model, extras={}), args.device)
        cuda = args.device == "cuda"
        if cuda:
            torch.cuda.synchronize()
            before = torch.cuda.memory_allocated()
            torch.cuda.reset_peak_memory_stats()
        started = time.perf_counter()
        self.scenario.prepare()
        if cuda:
            torch.cuda.synchronize()
            self.prepare_peak_extra_bytes = torch.cuda.max_memory_allocated() - before
            self.held_bytes = torch.cuda.memory_allocated() - before  # static cache + graph pool kept for the case
        self.prepare_s = time.perf_counter() - started

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
    """transformers `generate`. A logits processor (called once per generated token, on the host, after that token's
    forward was queued) records a CUDA event each time, so TTFT and each token's time come from the same call without
    a synchronisation and without changing the cache (a second call with max_new_tokens=1 would make a static cache of
    another length)."""

    def __init__(self, name, model, prompt_ids, args, static):
        from transformers import LogitsProcessor, LogitsProcessorList  # noqa: PLC0415

        class EventMark(LogitsProcessor):
            def __init__(self):
                self.events = []

            def __call__(self, input_ids, scores):
                event = torch.cuda.Event(enable_timing=True)
                event.record()
                self.events.append(event)
                return scores

        self.name = name
        self.model, self.args, self.static = model, args, static
        self.ids = prompt_ids
        self.mask = torch.ones_like(prompt_ids)
        self.mark = EventMark()
        self.processors = LogitsProcessorList([self.mark])
        self.knobs = {"cache_implementation": "static" if static else "dynamic"}
        started = time.perf_counter()
        self._generate()
        torch.cuda.synchronize()
        self.prepare_s = time.perf_counter() - started
        log("%s: first call %.1f s%s" % (name, self.prepare_s, " (compiles the decoding forward)" if static else ""))
        if static and self.prepare_s < 5:
            log("%s: the first call took under 5 s: transformers may not have compiled the forward (its auto-compile"
                " criteria); its figures are then static cache without compile" % name)

    def _generate(self):
        kwargs = dict(attention_mask=self.mask, max_new_tokens=self.args.output, do_sample=False, num_beams=1,
                      logits_processor=self.processors)
        if self.static:
            kwargs["cache_implementation"] = "static"
        with torch.inference_mode():
            return self.model.generate(self.ids, **kwargs)

    def once(self):
        self.mark.events = []
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        out = self._generate()
        end.record()
        end.synchronize()
        if out.shape[1] != self.ids.shape[1] + self.args.output:
            raise RuntimeError("generate stopped after %d tokens, not %d" % (out.shape[1] - self.ids.shape[1], self.args.output))
        marks = self.mark.events
        steps = [a.elapsed_time(b) for a, b in zip(marks, marks[1:])]
        return {"e2e_ms": start.elapsed_time(end), "ttft_ms": start.elapsed_time(marks[0]) if marks else None,
                "tpot_ms": median(steps)}

    def tokens(self):
        return self._generate()[:, self.ids.shape[1]:].cpu()

    def close(self):
        pass


# ---------------------------------------------------------------------------------------------- run

def prompt_ids(model, args):
    """The seeded prompt ids genbench's scenario feeds (so every peer decodes the same prompt)."""
    case = Case.build(id="prompt", model=args.model, batch_size=args.batch, prompt_tokens=args.prompt,
                      output_tokens=args.output, tiny=args.tiny, seed=args.seed)
    return LLMScenario(case, types.SimpleNamespace(model=model, extras={}), args.device)._prompt()


def summarise(trials, args):
    """Per trial the medians of its iterations; overall the median over trials and their spread."""
    per_trial = []
    for its in trials:
        e2e = median([i["e2e_ms"] for i in its])
        per_trial.append({"e2e_ms": e2e, "ttft_ms": median([i["ttft_ms"] for i in its if i["ttft_ms"] is not None]),
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
    p.add_argument("--model", default="facebook/opt-1.3b", help="an OPT of genbench's catalog")
    p.add_argument("--tiny", action="store_true", help="the catalog's tiny configuration (a check of this script)")
    p.add_argument("--device", default="cuda", choices=("cuda", "cpu"), help="cpu: a check of this script only")
    p.add_argument("--skip", default="", help="comma-separated peers to leave out (%s)" % ", ".join(PEERS))
    args = p.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("bench/llm_peer.py needs a CUDA GPU (--device cpu --tiny checks the script itself)")
    skip = {s for s in args.skip.split(",") if s}
    unknown = skip - set(PEERS)
    if unknown:
        raise SystemExit("--skip %s: unknown peer(s); known: %s" % (",".join(sorted(unknown)), ", ".join(PEERS)))
    result = {"device": torch.cuda.get_device_name() if args.device == "cuda" else "cpu", "torch": torch.__version__, "cuda": torch.version.cuda,
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
            elif name == "genbench-static-eager":
                peer = GenbenchPeer(name, gb, args, False, False)
                from genbench_worker.scenarios.llm import StaticDecoder  # noqa: PLC0415

                sc = peer.scenario
                with torch.inference_mode():
                    sc.decoder = StaticDecoder(gb, args.batch, args.prompt, args.output)
                    sc.decoder.prompt.copy_(sc._prompt())
                peer.knobs = {"cuda_graphs": "static cache, no capture", "compile": False}
            elif name == "genbench-graphs":
                peer = GenbenchPeer(name, gb, args, "auto", False)
            elif name == "genbench-compile":
                peer = GenbenchPeer(name, gb, args, "auto", True)
            elif hf is None:
                raise RuntimeError("transformers is not installed")
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
            if name.startswith("genbench"):  # is the path itself deterministic from run to run?
                result["tokens"][name + " again"] = peer.tokens().tolist()
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
        differ = (x != y)
        first = [int(row.nonzero()[0]) if row.any() else None for row in differ]
        return {"equal": bool(torch.equal(x, y)), "matching_fraction": float((~differ).float().mean()),
                "first_differing_token_per_sequence": first}

    result["greedy"] = {"%s == %s" % (a, b): same(a, b) for a, b in (
        ("genbench-eager again", "genbench-eager"), ("genbench-static-eager again", "genbench-static-eager"),
        ("genbench-graphs again", "genbench-graphs"),
        ("genbench-graphs", "genbench-eager"), ("genbench-graphs", "genbench-static-eager"),
        ("genbench-static-eager", "genbench-eager"), ("genbench-compile", "genbench-eager"),
        ("genbench-eager", "hf-generate"), ("genbench-graphs", "hf-generate"), ("hf-static-compile", "hf-generate"))}
    write()

    print("%s%s, %s, batch %d, %d prompt + %d output tokens, greedy; %s, torch %s, transformers %s"
          % (args.model, " (tiny)" if args.tiny else "", "float16" if args.device == "cuda" else "float32", args.batch, args.prompt, args.output, result["device"], result["torch"], result["transformers"]))
    print("%d trials x %d iterations each (median of trial medians; tokens/s range over trials)" % (args.trials, args.iterations))
    print("%-19s %9s %9s %9s %10s %17s %9s" % ("peer", "TTFT ms", "TPOT ms", "e2e ms", "tokens/s", "range", "prep s"))

    def ms(x):
        return "%9s" % "n/a" if x is None else "%9.2f" % x
    base = (result["peers"].get("hf-static-compile") or {}).get("tokens_per_s")
    for name in PEERS:
        r = result["peers"].get(name)
        if r is None:
            continue
        if "tokens_per_s" not in r:
            print("%-19s %s" % (name, r.get("error", "no trials")))
            continue
        ratio = " (%.2fx hf-static-compile)" % (r["tokens_per_s"] / base) if base else ""
        print("%-19s %s %s %9.1f %10.0f %8.0f-%-8.0f %9.1f%s" % (
            name, ms(r["ttft_ms"]), ms(r["tpot_ms"]), r["e2e_ms"], r["tokens_per_s"], r["tokens_per_s_min"],
            r["tokens_per_s_max"], r["prepare_s"], ratio))
    for pair, verdict in result["greedy"].items():
        print("greedy tokens %s: %s" % (pair, "n/a" if verdict is None else
              "equal" if verdict["equal"] else "differ (%.1f %% match)" % (100 * verdict["matching_fraction"])))
    log("wrote %s" % args.out)


if __name__ == "__main__":
    main()
