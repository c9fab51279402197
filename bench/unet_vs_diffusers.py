"""genbench's UNet against the diffusers UNet, side by side in one process on one GPU.

Same configuration (the public SD 2.1 / SDXL UNet configs), random weights, float16, batch 2 (one image with
classifier-free guidance). Per-step latency is one UNet forward timed with CUDA events (median of 30 after 5
warm-ups); peak memory is torch's max_memory_allocated over the timed forwards, weights included. genbench's
"default knobs" are what `auto` resolves to on CUDA: CUDA graphs + channels_last (SDPA attention).
Model FLOPs per forward are counted with torch.utils.flop_counter on genbench's UNet; MFU = FLOPs / time / peak
dense fp16 tensor throughput of the GPU.

diffusers is not a dependency: fetch it and point DIFFUSERS_SRC at its `src` folder (bench/RESULTS.md says how).
Usage: python3 bench/unet_vs_diffusers.py [--out FILE.json] [--models sd21 sdxl] [--iters 30]
"""
import argparse
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "worker", "src"))
if os.environ.get("DIFFUSERS_SRC"):
    sys.path.insert(0, os.environ["DIFFUSERS_SRC"])

import torch  # noqa: E402

from genbench_worker.models import registry  # noqa: E402
from genbench_worker.scenarios.diffusion import GraphedUNet, set_unet_memory_format  # noqa: E402

SD21 = dict(
    act_fn="silu", attention_head_dim=[5, 10, 20, 20], block_out_channels=[320, 640, 1280, 1280],
    cross_attention_dim=1024, down_block_types=["CrossAttnDownBlock2D"] * 3 + ["DownBlock2D"], downsample_padding=1,
    flip_sin_to_cos=True, freq_shift=0, in_channels=4, layers_per_block=2, mid_block_scale_factor=1, norm_eps=1e-5,
    norm_num_groups=32, out_channels=4, sample_size=96, up_block_types=["UpBlock2D"] + ["CrossAttnUpBlock2D"] * 3,
    use_linear_projection=True, upcast_attention=True)
SDXL = dict(
    act_fn="silu", addition_embed_type="text_time", addition_embed_type_num_heads=64, addition_time_embed_dim=256,
    attention_head_dim=[5, 10, 20], block_out_channels=[320, 640, 1280], cross_attention_dim=2048,
    down_block_types=["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"], downsample_padding=1,
    flip_sin_to_cos=True, freq_shift=0, in_channels=4, layers_per_block=2, mid_block_scale_factor=1, norm_eps=1e-5,
    norm_num_groups=32, out_channels=4, projection_class_embeddings_input_dim=2816, sample_size=128,
    transformer_layers_per_block=[1, 2, 10], up_block_types=["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
    use_linear_projection=True)

CASES = {
    "sd21": dict(model_id="stabilityai/stable-diffusion-2-1", config=SD21, latent=96, context=1024, pixels=768),
    "sdxl": dict(model_id="stabilityai/stable-diffusion-xl-base-1.0", config=SDXL, latent=128, context=2048, pixels=1024),
}

# dense fp16/bf16 tensor-core peak, TFLOP/s, SXM parts (the H100 and H200 share the GH100 compute)
PEAK_TFLOPS = {"H100": 989.4, "H200": 989.4, "A100": 312.0, "L40S": 362.0, "A10G": 125.0, "L4": 121.0}


def peak_tflops(name):
    for key, value in PEAK_TFLOPS.items():
        if key in name:
            return value
    return None


def inputs(case, batch, dtype, device):
    g = torch.Generator(device="cpu").manual_seed(0)
    sample = torch.randn(batch, 4, case["latent"], case["latent"], generator=g).to(device, dtype)
    t = torch.full((batch,), 500.0, device=device)
    ctx = torch.randn(batch, 77, case["context"], generator=g).to(device, dtype)
    added = None
    if case["config"].get("addition_embed_type") == "text_time":
        p = case["pixels"]
        added = {"text_embeds": torch.randn(batch, 1280, generator=g).to(device, dtype),
                 "time_ids": torch.tensor([[p, p, 0, 0, p, p]] * batch, device=device, dtype=dtype)}
    return sample, t, {"encoder_hidden_states": ctx, "added_cond_kwargs": added}


def time_forward(fn, sample, t, cond, warmup, iters):
    for _ in range(warmup):
        fn(sample, t, cond)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(iters):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn(sample, t, cond)
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return {"median_ms": statistics.median(times), "min_ms": min(times), "mean_ms": statistics.fmean(times),
            "n": len(times), "peak_allocated_bytes": torch.cuda.max_memory_allocated(),
            "peak_reserved_bytes": torch.cuda.max_memory_reserved()}


def count_flops(fn, sample, t, cond):
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        fn(sample, t, cond)
    return counter.get_total_flops()


def run_case(name, case, args, device):
    from diffusers import UNet2DConditionModel
    dtype = torch.float16
    out = {"case": name, "model": case["model_id"], "batch": args.batch, "resolution": "%dx%d" % (case["pixels"], case["pixels"]),
           "precision": "float16", "variants": {}}
    sample, t, cond = inputs(case, args.batch, dtype, device)

    ours_model = registry.build(case["model_id"], device=device, dtype=dtype, attention="sdpa", seed=0)
    ours = ours_model.unet

    def ours_fwd(s, ts, c):
        return ours(s, ts, c["encoder_hidden_states"], c["added_cond_kwargs"])

    with torch.device(device):
        peer = UNet2DConditionModel(**case["config"]).to(dtype).eval()
    peer.requires_grad_(False)

    def peer_fwd(s, ts, c):
        kwargs = {"added_cond_kwargs": c["added_cond_kwargs"]} if c["added_cond_kwargs"] is not None else {}
        return peer(s, ts, encoder_hidden_states=c["encoder_hidden_states"], return_dict=False, **kwargs)[0]

    out["parameters"] = {"genbench": sum(p.numel() for p in ours.parameters()), "diffusers": sum(p.numel() for p in peer.parameters())}
    # same weights in both: load diffusers' state dict by name into ours and compare outputs
    missing, unexpected = ours.load_state_dict(peer.state_dict(), strict=False)
    out["state_dict"] = {"missing": len(missing), "unexpected": len(unexpected), "examples": (list(missing) + list(unexpected))[:5]}
    with torch.inference_mode():
        a, b = ours_fwd(sample, t, cond).float(), peer_fwd(sample, t, cond).float()
        out["max_abs_diff_same_weights"] = (a - b).abs().max().item()
        out["output_std"] = b.std().item()
        out["flops_per_forward"] = count_flops(ours_fwd, sample, t, cond)
        out["flops_per_forward_diffusers"] = count_flops(peer_fwd, sample, t, cond)

        def variant(label, fwd, module, graphs, channels_last):
            try:
                measure_variant(label, fwd, module, graphs, channels_last)
            except Exception as e:  # one broken variant must not lose the others
                import traceback
                traceback.print_exc()
                out["variants"][label] = {"error": repr(e)}
                set_unet_memory_format(module, False)
                torch.cuda.empty_cache()

        def measure_variant(label, fwd, module, graphs, channels_last):
            set_unet_memory_format(module, channels_last)
            s = sample.contiguous(memory_format=torch.channels_last) if channels_last else sample
            fn = GraphedUNet(fwd, s, t, cond) if graphs else fwd
            r = time_forward(fn, s, t, cond, args.warmup, args.iters)
            r["knobs"] = {"cuda_graphs": graphs, "channels_last": channels_last, "attention": "sdpa"}
            out["variants"][label] = r
            del fn
            set_unet_memory_format(module, False)
            torch.cuda.synchronize()
            print("%s %-34s median %.2f ms  min %.2f ms  peak %.2f GiB" % (name, label, r["median_ms"], r["min_ms"],
                  r["peak_allocated_bytes"] / 2**30), flush=True)

        # one model on the GPU at a time would be fairer for memory, but both fit; peaks are measured as deltas below
        variant("diffusers eager", peer_fwd, peer, False, False)
        variant("genbench eager (knobs off)", ours_fwd, ours, False, False)
        variant("genbench channels_last", ours_fwd, ours, False, True)
        variant("genbench CUDA graphs", ours_fwd, ours, True, False)
        variant("genbench default (graphs + channels_last)", ours_fwd, ours, True, True)
        variant("diffusers CUDA graphs", peer_fwd, peer, True, False)
        variant("diffusers graphs + channels_last", peer_fwd, peer, True, True)
    weights = {"genbench": sum(p.numel() * p.element_size() for p in ours.parameters()),
               "diffusers": sum(p.numel() * p.element_size() for p in peer.parameters())}
    out["weights_bytes"] = weights
    # both models are resident while either runs: each variant's activation peak = peak - both models' weights
    resident = weights["genbench"] + weights["diffusers"]
    ok = {k: r for k, r in out["variants"].items() if "error" not in r}
    for r in ok.values():
        r["activation_peak_bytes"] = r["peak_allocated_bytes"] - resident
    eager = out["variants"]["diffusers eager"]["median_ms"]
    peak = peak_tflops(torch.cuda.get_device_name())
    for r in ok.values():
        r["ratio_to_diffusers_eager"] = r["median_ms"] / eager
        r["mfu_pct"] = None if peak is None else 100 * out["flops_per_forward"] / (r["median_ms"] / 1e3) / (peak * 1e12)
    del ours_model, ours, peer
    torch.cuda.empty_cache()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["sd21", "sdxl"])
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    device = torch.device("cuda")
    import diffusers
    report = {"date": time.strftime("%Y-%m-%d"), "gpu": torch.cuda.get_device_name(), "torch": torch.__version__,
              "diffusers": diffusers.__version__, "peak_dense_fp16_tflops": peak_tflops(torch.cuda.get_device_name()),
              "cases": []}
    for name in args.models:
        report["cases"].append(run_case(name, CASES[name], args, device))
    print()
    print("| case | variant | median ms | min ms | x diffusers eager | MFU % | peak GiB (both models resident) | activations GiB |")
    print("|---|---|---|---|---|---|---|---|")
    for c in report["cases"]:
        for label, r in c["variants"].items():
            if "error" in r:
                print("| %s | %s | error: %s |" % (c["case"], label, r["error"]))
                continue
            print("| %s b%d %s | %s | %.2f | %.2f | %.2f | %s | %.2f | %.2f |" % (
                c["case"], c["batch"], c["resolution"], label, r["median_ms"], r["min_ms"], r["ratio_to_diffusers_eager"],
                "%.1f" % r["mfu_pct"] if r["mfu_pct"] is not None else "n/a", r["peak_allocated_bytes"] / 2**30,
                r["activation_peak_bytes"] / 2**30))
        print("| %s | same weights: max abs diff %.4g (output std %.3g); state dict missing %d unexpected %d; params %d vs %d; GFLOP/forward %.1f (diffusers %.1f) |||||||" % (
            c["case"], c["max_abs_diff_same_weights"], c["output_std"], c["state_dict"]["missing"], c["state_dict"]["unexpected"],
            c["parameters"]["genbench"], c["parameters"]["diffusers"], c["flops_per_forward"] / 1e9, c["flops_per_forward_diffusers"] / 1e9))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
