"""Issue 18 goal 5: which CUDA kernels make genbench's SD 2.1 UNet slower than diffusers' at UNet batch 8.

In one process: genbench's UNet (the worker's own builder, ``registry.build``) and diffusers' ``UNet2DConditionModel``
from the same public SD 2.1 config (bench/unet_vs_diffusers.py's ``SD21``), float16, 96x96 latents, encoder hidden
states 77x1024, diffusers' weights loaded into genbench's by name (so both compute the same values; the max abs
difference is printed). For each batch (default 8, the CFG batch of 4 images, and 2 for contrast) and each variant
(genbench contiguous and channels_last (its default memory format for SD 2.1), the same as at commit e37e499
(``before``: Transformer2DModel summed ``x + residual``, x a channels_last view, so a contiguous UNet ran channels_last
after its first transformer), diffusers contiguous and channels_last), eager, no CUDA graphs (a graph replays the
same kernels):

* ``wall``: per-forward ms, median of CUDA-event timings after warm-ups; ``activation_peak_mib``: peak allocated in
  one forward above what was allocated before it; ``output_layout``;
* ``modules``: ms per forward inside each module class (CUDA events in forward hooks: ResnetBlock2D,
  Transformer2DModel, BasicTransformerBlock, Attention attn1 / attn2, FeedForward, Down/Upsample2D);
* ``kernels``: torch.profiler (CUDA activity) over the profiled forwards, kernel time summed by kernel name and by a
  coarse category (conv, conv layout transform, gemm, attention, group_norm, layer_norm, cat, copy-contiguous,
  elementwise+activation, other), launches per forward.

Then side-by-side tables: category ms per forward and the difference, the top kernels by |difference|, launches and
copy kernels per forward, for genbench vs diffusers (contiguous), genbench channels_last vs contiguous and genbench vs
diffusers both channels_last. Every part is in try/except and the JSON (``--out``) is rewritten after each part.

``--device cpu --tiny``: the catalog's tiny SD 2.1 UNet (and a diffusers UNet from the same config), CPU profiler
activity, for checking the script without a GPU (needs a diffusers that imports on the local torch).
diffusers is not a dependency: point DIFFUSERS_SRC at a checkout's ``src``.
Usage: python3 bench/unet_kernels.py [--out F.json] [--batches 8 2] [--device cuda|cpu] [--tiny]
"""
import argparse
import contextlib
import json
import os
import statistics
import sys
import time
import traceback
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "worker", "src"))
sys.path.insert(0, HERE)
if os.environ.get("DIFFUSERS_SRC"):
    sys.path.insert(0, os.environ["DIFFUSERS_SRC"])

import torch  # noqa: E402

from genbench_worker.models import registry  # noqa: E402
from genbench_worker.models import unet as gunet  # noqa: E402
from genbench_worker.scenarios.diffusion import set_unet_memory_format  # noqa: E402

SD21_ID = "stabilityai/stable-diffusion-2-1"
CONTEXT_TOKENS = 77

# first match wins: the order matters (cuDNN conv kernels contain "gemm", fmha kernels "cutlass", copies "elementwise")
CATEGORIES = (
    ("attention", ("flash", "fmha", "efficient_attention", "attention", "sdpa", "softmax")),
    ("conv layout transform", ("nchwtonhwc", "nhwctonchw", "nchw_to_nhwc", "nhwc_to_nchw", "convertlayout")),
    ("conv", ("conv", "fprop", "implicit", "winograd", "dgrad", "wgrad", "cudnn")),
    ("gemm", ("gemm", "xmma", "cutlass", "cublas", "gemv", "splitk", "matmul", "addmm", "aten::mm", "aten::bmm",
              "aten::linear")),
    ("group_norm", ("groupnorm", "group_norm", "rowwisemoments", "computefusedparams")),
    ("layer_norm", ("layernorm", "layer_norm")),
    ("cat", ("catarraybatchedcopy", "aten::cat")),
    ("copy-contiguous", ("copy", "contiguous", "memcpy", "aten::clone")),
    ("upsample", ("upsample", "interpolate")),
    ("elementwise+activation", ("elementwise", "silu", "gelu", "add", "mul", "div", "reduce", "aten::")),
)


def categorize(name):
    low = name.lower()
    for category, keys in CATEGORIES:
        if any(k in low for k in keys):
            return category
    return "other"


def diffusers_kwargs(c):
    """diffusers' UNet2DConditionModel config for a genbench UNet2DConfig (2D SD-style UNets)."""
    return dict(
        in_channels=c.in_channels, out_channels=c.out_channels, block_out_channels=list(c.block_out_channels),
        down_block_types=list(c.down_block_types), up_block_types=list(c.up_block_types),
        layers_per_block=c.layers_per_block, transformer_layers_per_block=list(c.per_block(c.transformer_layers_per_block)),
        attention_head_dim=list(c.heads()), cross_attention_dim=c.cross_attention_dim,
        use_linear_projection=c.use_linear_projection, norm_num_groups=c.norm_num_groups, norm_eps=c.norm_eps,
        flip_sin_to_cos=c.flip_sin_to_cos, freq_shift=c.freq_shift, act_fn="silu", downsample_padding=1,
        mid_block_scale_factor=1)


def _before_transformer_forward(self, x, context):
    """Transformer2DModel.forward at commit e37e499: ``x + residual``, x a channels_last view of the tokens,
    so the sum (and every activation after it) came out channels_last in a contiguous UNet."""
    if not self.use_linear_projection:
        raise RuntimeError("the before-branch patch covers use_linear_projection (SD 2.x) only")
    residual = x
    b, c, h, w = x.shape
    x = self.proj_in(self.norm(x).permute(0, 2, 3, 1).reshape(b, h * w, c))
    for block in self.transformer_blocks:
        x = block(x, context)
    return self.proj_out(x).reshape(b, h, w, -1).permute(0, 3, 1, 2) + residual


@contextlib.contextmanager
def code_before_branch(active):
    saved = gunet.Transformer2DModel.forward
    if active:
        gunet.Transformer2DModel.forward = _before_transformer_forward
    try:
        yield
    finally:
        gunet.Transformer2DModel.forward = saved


# ---------------------------------------------------------------------------------------------- timing

def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def wall_ms(fn, device, warmup, iters):
    for _ in range(warmup):
        fn()
    sync(device)
    times = []
    for _ in range(iters):
        if device.type == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            torch.cuda.synchronize(device)
            times.append(start.elapsed_time(end))
        else:
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1e3)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "n": len(times)}


HOOKED = ("ResnetBlock2D", "Transformer2DModel", "BasicTransformerBlock", "Attention", "FeedForward",
          "Downsample2D", "Upsample2D", "GroupNorm", "LayerNorm")


def module_key(name, module):
    kind = type(module).__name__
    if kind not in HOOKED:
        return None
    leaf = name.rsplit(".", 1)[-1]
    if kind == "Attention" and leaf in ("attn1", "attn2"):
        return "Attention." + leaf
    if kind == "GroupNorm":  # a Transformer2DModel's is its ``norm``; the resnets' are norm1 / norm2
        return "GroupNorm (transformer)" if leaf == "norm" else "GroupNorm (resnet, out)"
    return kind


def activation_peak_mib(fn, device):
    """Peak allocated during one forward above what was allocated before it (CUDA only)."""
    if device.type != "cuda":
        return None
    torch.cuda.synchronize(device)
    base = torch.cuda.memory_allocated(device)
    torch.cuda.reset_peak_memory_stats(device)
    fn()
    torch.cuda.synchronize(device)
    return round((torch.cuda.max_memory_allocated(device) - base) / 2 ** 20, 1)


def module_ms(model, fn, device, iters):
    """ms per forward inside each hooked module class (CUDA events recorded in forward pre/post hooks)."""
    marks, handles = [], []

    def now():
        if device.type == "cuda":
            e = torch.cuda.Event(enable_timing=True)
            e.record()
            return e
        return time.perf_counter()

    for name, module in model.named_modules():
        key = module_key(name, module)
        if key is None:
            continue
        stack = []
        handles.append(module.register_forward_pre_hook(lambda m, a, s=stack: s.append(now())))
        handles.append(module.register_forward_hook(
            lambda m, a, o, s=stack, k=key: marks.append((k, s.pop(), now()))))
    try:
        for _ in range(iters):
            fn()
        sync(device)
    finally:
        for h in handles:
            h.remove()
    total = defaultdict(float)
    for key, start, end in marks:
        total[key] += start.elapsed_time(end) if device.type == "cuda" else (end - start) * 1e3
    return {k: v / iters for k, v in sorted(total.items())}


def kernel_profile(fn, device, reps):
    """Kernel (or, on CPU, self op) time summed by name over ``reps`` forwards → ms and launches per forward."""
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile
    cuda = device.type == "cuda"
    sync(device)
    with profile(activities=[ProfilerActivity.CUDA if cuda else ProfilerActivity.CPU]) as prof:
        for _ in range(reps):
            fn()
        sync(device)
    by_name = defaultdict(lambda: [0.0, 0])
    for e in prof.events():
        if cuda:
            if e.device_type != DeviceType.CUDA:
                continue
            us = e.time_range.elapsed_us()
        else:
            if e.device_type != DeviceType.CPU or e.name.startswith("ProfilerStep"):
                continue
            us = e.self_cpu_time_total
        by_name[e.name][0] += us
        by_name[e.name][1] += 1
    if cuda and not by_name:  # a torch whose events() does not list device events: averaged kernels instead
        for a in prof.key_averages():
            us = getattr(a, "self_device_time_total", None)
            if us is None:
                us = getattr(a, "self_cuda_time_total", 0)
            if us:
                by_name[a.key] = [us, a.count]
    kernels = {n: {"ms": us / 1e3 / reps, "launches": cnt / reps, "category": categorize(n)}
               for n, (us, cnt) in by_name.items()}
    categories = defaultdict(lambda: {"ms": 0.0, "launches": 0.0})
    for k in kernels.values():
        categories[k["category"]]["ms"] += k["ms"]
        categories[k["category"]]["launches"] += k["launches"]
    return {"kernels": kernels, "categories": dict(categories),
            "total_ms": sum(k["ms"] for k in kernels.values()),
            "launches": sum(k["launches"] for k in kernels.values())}


# ---------------------------------------------------------------------------------------------- report

def short(name, width=110):
    return name if len(name) <= width else name[:width - 3] + "..."


def compare(a_label, a, b_label, b, top):
    """Markdown lines: category table a vs b, launches, top kernels by |difference| (ms per forward)."""
    lines = ["", "### %s vs %s (ms per forward, kernel time)" % (a_label, b_label), "",
             "| category | %s | %s | difference | launches %s | launches %s |" % (a_label, b_label, a_label, b_label),
             "|---|---|---|---|---|---|"]
    cats = [c for c, _ in CATEGORIES] + ["other"]
    for c in cats:
        x, y = a["categories"].get(c), b["categories"].get(c)
        if x is None and y is None:
            continue
        x, y = x or {"ms": 0.0, "launches": 0}, y or {"ms": 0.0, "launches": 0}
        lines.append("| %s | %.3f | %.3f | %+.3f | %.0f | %.0f |" % (c, x["ms"], y["ms"], x["ms"] - y["ms"],
                                                                   x["launches"], y["launches"]))
    lines.append("| **total** | %.3f | %.3f | %+.3f | %.0f | %.0f |" % (
        a["total_ms"], b["total_ms"], a["total_ms"] - b["total_ms"], a["launches"], b["launches"]))
    cp = lambda p: p["categories"].get("copy-contiguous", {}).get("launches", 0)  # noqa: E731
    lt = lambda p: p["categories"].get("conv layout transform", {}).get("launches", 0)  # noqa: E731
    lines.append("")
    lines.append("launches per forward: %s %.0f, %s %.0f; copy/contiguous kernels %.0f vs %.0f; conv layout "
                 "transforms %.0f vs %.0f" % (a_label, a["launches"], b_label, b["launches"], cp(a), cp(b), lt(a), lt(b)))
    names = set(a["kernels"]) | set(b["kernels"])
    zero = {"ms": 0.0, "launches": 0, "category": None}
    rows = sorted(names, key=lambda n: -abs(a["kernels"].get(n, zero)["ms"] - b["kernels"].get(n, zero)["ms"]))[:top]
    lines += ["", "| kernel | category | %s ms (n) | %s ms (n) | difference |" % (a_label, b_label), "|---|---|---|---|---|"]
    for n in rows:
        x, y = a["kernels"].get(n, zero), b["kernels"].get(n, zero)
        lines.append("| `%s` | %s | %.3f (%.0f) | %.3f (%.0f) | %+.3f |" % (
            short(n), categorize(n), x["ms"], x["launches"], y["ms"], y["launches"], x["ms"] - y["ms"]))
    return lines


def module_table(batch_result):
    labels = [v for v in batch_result["variants"] if "modules" in batch_result["variants"][v]]
    if not labels:
        return []
    keys = sorted({k for v in labels for k in batch_result["variants"][v]["modules"]})
    lines = ["", "### ms per forward inside module classes (CUDA events in hooks; nested classes overlap)", "",
             "| module | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    for k in keys:
        lines.append("| %s | %s |" % (k, " | ".join("%.3f" % batch_result["variants"][v]["modules"].get(k, 0.0)
                                                      for v in labels)))
    return lines


# ---------------------------------------------------------------------------------------------- main

def attempt(store, key, fn):
    try:
        store[key] = fn()
    except Exception as e:  # one broken part must not lose the others
        traceback.print_exc()
        store[key] = {"error": repr(e)}
    return store[key]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=None)
    ap.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    ap.add_argument("--tiny", action="store_true", help="the catalog's tiny SD 2.1 UNet (checks without a GPU)")
    ap.add_argument("--batches", type=int, nargs="+", default=None, help="UNet batches (default 8 2; tiny: 2 1)")
    ap.add_argument("--latent", type=int, default=None, help="latent side (default 96; tiny: 16)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10, help="timed forwards for the wall figure")
    ap.add_argument("--reps", type=int, default=5, help="profiled forwards")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--no-before", action="store_true", help="skip genbench as at commit e37e499")
    args = ap.parse_args()
    device = torch.device(args.device)
    dtype = torch.float16 if device.type == "cuda" else torch.float32
    batches = args.batches or ([2, 1] if args.tiny else [8, 2])
    latent = args.latent or (16 if args.tiny else 96)
    report = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "torch": torch.__version__, "device": str(device),
              "dtype": str(dtype).replace("torch.", ""), "tiny": args.tiny, "latent": latent, "batches": batches,
              "gpu": torch.cuda.get_device_name() if device.type == "cuda" else None,
              "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None, "results": {}}

    def save():
        if args.out:
            with open(args.out, "w") as f:
                json.dump(report, f, indent=1)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    t_start = time.perf_counter()
    spec = registry.spec(SD21_ID, tiny=args.tiny)
    ours = registry.build(SD21_ID, tiny=args.tiny, device=device, dtype=dtype, attention="sdpa", seed=0).unet
    ours.eval().requires_grad_(False)
    context = spec.unet.cross_attention_dim
    models = {"genbench": ours}
    try:
        import diffusers
        from diffusers import UNet2DConditionModel
        report["diffusers"] = diffusers.__version__
        if args.tiny:
            config = diffusers_kwargs(spec.unet)
        else:
            from unet_vs_diffusers import SD21
            config = SD21
        with torch.device(device) if hasattr(torch, "get_default_device") else contextlib.nullcontext():
            peer = UNet2DConditionModel(**config)
        peer = peer.to(device, dtype).eval().requires_grad_(False)
        try:  # force diffusers' SDPA processor where the running version has one (its default on torch >= 2)
            from diffusers.models.attention_processor import AttnProcessor2_0
            if hasattr(torch.nn.functional, "scaled_dot_product_attention"):
                peer.set_attn_processor(AttnProcessor2_0())
        except ImportError:
            pass
        missing, unexpected = ours.load_state_dict(peer.state_dict(), strict=False)
        report["state_dict"] = {"missing": len(missing), "unexpected": len(unexpected),
                                "examples": (list(missing) + list(unexpected))[:5]}
        models["diffusers"] = peer
    except Exception as e:
        traceback.print_exc()
        report["diffusers_error"] = repr(e)
    log("built in %.1f s: %s" % (time.perf_counter() - t_start, ", ".join(models)))
    save()

    g = torch.Generator(device="cpu").manual_seed(0)
    lines = ["# genbench vs diffusers UNet kernels: SD 2.1%s, %dx%d latents, %s, %s" % (
        " (tiny)" if args.tiny else "", latent, latent, report["dtype"], report["gpu"] or "cpu")]
    with torch.inference_mode():
        for batch in batches:
            res = report["results"].setdefault("b%d" % batch, {"batch": batch, "variants": {}})
            sample = torch.randn(batch, 4, latent, latent, generator=g).to(device, dtype)
            t = torch.full((batch,), 500.0, device=device)
            ctx = torch.randn(batch, CONTEXT_TOKENS, context, generator=g).to(device, dtype)
            fwds = {"genbench": lambda s: ours(s, t, ctx)}
            if "diffusers" in models:
                fwds["diffusers"] = lambda s: models["diffusers"](s, t, encoder_hidden_states=ctx, return_dict=False)[0]
                if "same_weights" not in report:
                    def same():
                        a, b = fwds["genbench"](sample).float(), fwds["diffusers"](sample).float()
                        return {"batch": batch, "max_abs_diff": (a - b).abs().max().item(), "output_std": b.std().item()}
                    attempt(report, "same_weights", same)
                    log("same weights: %s" % report["same_weights"])
            variants = [(who, cl, False) for who in fwds for cl in (False, True)]
            if not args.no_before:  # genbench before this branch's Transformer2DModel sum, both memory formats
                variants[2:2] = [("genbench", False, True), ("genbench", True, True)]
            for who, channels_last, before in variants:
                fwd, model = fwds[who], models[who]
                label = who + (" before" if before else "") + (" channels_last" if channels_last else "")

                def measure():
                    set_unet_memory_format(model, channels_last)
                    s = sample.contiguous(memory_format=torch.channels_last) if channels_last else sample
                    try:
                        with code_before_branch(before):
                            r = {"output_layout": ("contiguous" if fwd(s).is_contiguous() else "channels_last")}
                            r["wall"] = wall_ms(lambda: fwd(s), device, args.warmup, args.iters)
                            r["activation_peak_mib"] = activation_peak_mib(lambda: fwd(s), device)
                            r["modules"] = module_ms(model, lambda: fwd(s), device, 2)
                            r.update(kernel_profile(lambda: fwd(s), device, args.reps))
                        return r
                    finally:
                        set_unet_memory_format(model, False)
                r = attempt(res["variants"], label, measure)
                log("b%d %-34s %s" % (batch, label, "error: " + r["error"] if "error" in r else
                                      "wall %.2f ms, kernels %.2f ms, %.0f launches, activations %s MiB" % (
                                          r["wall"]["median_ms"], r["total_ms"], r["launches"],
                                          r["activation_peak_mib"])))
                save()
            v = res["variants"]
            lines += ["", "## UNet batch %d" % batch, "", "| variant | wall ms (median, eager) | kernel ms | launches | "
                      "activation peak MiB | output layout |", "|---|---|---|---|---|---|"]
            for label, r in v.items():
                lines.append("| %s | %s |" % (label, "error: %s" % r["error"] if "error" in r else
                                              "%.2f | %.2f | %.0f | %s | %s" % (
                    r["wall"]["median_ms"], r["total_ms"], r["launches"], r["activation_peak_mib"], r["output_layout"])))
            pairs = (("genbench", "diffusers"), ("genbench before", "diffusers"), ("genbench", "genbench before"),
                     ("genbench channels_last", "genbench"), ("genbench channels_last", "diffusers channels_last"))
            for a, b in pairs:
                if "kernels" in v.get(a, {}) and "kernels" in v.get(b, {}):
                    lines += compare(a, v[a], b, v[b], args.top)
            lines += module_table(res)
            del sample, ctx
    report["elapsed_s"] = time.perf_counter() - t_start
    if "same_weights" in report and "max_abs_diff" in report["same_weights"]:
        lines += ["", "same weights (batch %d): max abs diff %.4g, output std %.3g; state dict missing %s unexpected %s" % (
            report["same_weights"]["batch"], report["same_weights"]["max_abs_diff"], report["same_weights"]["output_std"],
            report["state_dict"]["missing"], report["state_dict"]["unexpected"])]
    lines += ["", "torch %s, cuDNN %s, diffusers %s; %.1f s in all" % (
        report["torch"], report["cudnn"], report.get("diffusers", "n/a (%s)" % report.get("diffusers_error")),
        report["elapsed_s"])]
    print("\n".join(lines))
    save()


if __name__ == "__main__":
    main()
