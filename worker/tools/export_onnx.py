#!/usr/bin/env python3
"""Exports the embedded default model (a small SD 2.1-architecture pipeline, random weights) to ONNX.

    /usr/bin/python3 worker/tools/export_onnx.py --out src/main/resources/io/genbench/onnx

Writes ``text_encoder.onnx`` (``input_ids`` int64 [N,77] → ``hidden_states`` float32 [N,77,64]),
``unet.onnx`` (``sample`` [N,4,h,w], ``timestep`` float32 [N], ``encoder_hidden_states`` [N,77,64] →
``noise_pred`` [N,4,h,w]), ``vae_decoder.onnx`` (``latents`` [N,4,h,w] → ``images`` [N,3,8h,8w]; latents
already divided by the scaling factor) and ``models.json`` describing them. N, h and w are dynamic; h and w
must be multiples of 8 (the UNet downsamples three times). The weights come from a fixed seed, so the export is
deterministic. There is no ONNX runtime here: the check is that the PyTorch modules give finite outputs at two
spatial sizes and that both sizes export.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import torch  # noqa: E402

from genbench_worker.models import registry  # noqa: E402
from genbench_worker.models.construction import count_parameters  # noqa: E402
from genbench_worker.models.tokenizer import special_ids  # noqa: E402

OPSET = 14
SEED = 0


class TextEncoderGraph(torch.nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids):
        return self.encoder(input_ids)[0]


class UNetGraph(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states):
        return self.unet(sample, timestep, encoder_hidden_states)


def graphs(model, batch: int, latent: int):
    spec = model.spec
    text_cfg = spec.text_encoders[0][1]
    ids = registry.tokenize("a photograph of an astronaut riding a horse", batch, text_cfg.vocab_size,
                            text_cfg.max_position_embeddings)
    hidden_dim = text_cfg.hidden_size
    seq = text_cfg.max_position_embeddings
    gen = torch.Generator().manual_seed(SEED)
    sample = torch.randn(batch, model.latent_channels, latent, latent, generator=gen)
    timestep = torch.full((batch,), 999.0)
    ehs = torch.randn(batch, seq, hidden_dim, generator=gen)
    return {
        "text_encoder": (TextEncoderGraph(model.text_encoders[0]), (ids,), ["input_ids"], ["hidden_states"],
                         {"input_ids": {0: "batch"}, "hidden_states": {0: "batch"}}),
        "unet": (UNetGraph(model.unet), (sample, timestep, ehs), ["sample", "timestep", "encoder_hidden_states"],
                 ["noise_pred"],
                 {"sample": {0: "batch", 2: "height", 3: "width"}, "timestep": {0: "batch"},
                  "encoder_hidden_states": {0: "batch"}, "noise_pred": {0: "batch", 2: "height", 3: "width"}}),
        "vae_decoder": (model.vae_decoder, (sample,), ["latents"], ["images"],
                        {"latents": {0: "batch", 2: "height", 3: "width"},
                         "images": {0: "batch", 2: "image_height", 3: "image_width"}}),
    }


def export(module, args, path: Path, inputs, outputs, axes) -> None:
    with torch.no_grad():
        torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)


def check_finite(module, args, name: str, size: int) -> list:
    with torch.no_grad():
        out = module(*args)
    if not torch.isfinite(out).all():
        raise SystemExit(f"{name}: non-finite output at latent size {size}")
    return list(out.shape)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path, help="folder for the .onnx files and models.json")
    ap.add_argument("--skip-second-size", action="store_true", help="skip the export check at a second size")
    a = ap.parse_args(argv)
    torch.manual_seed(SEED)
    spec = registry.embedded_spec()
    model = registry.build_spec(spec, device="cpu", dtype=torch.float32, attention="math", seed=SEED)
    a.out.mkdir(parents=True, exist_ok=True)

    # a second spatial size (and batch) must work in PyTorch and export too: dynamic axes are not size-specific
    shapes = {}
    for batch, latent in ((2, 64), (1, 40)):
        for name, (module, args, _, _, _) in graphs(model, batch, latent).items():
            shapes.setdefault(name, []).append({"inputs": [list(t.shape) for t in args],
                                                "output": check_finite(module, args, name, latent)})
    if not a.skip_second_size:
        with tempfile.TemporaryDirectory() as tmp:
            for name, (module, args, ins, outs, axes) in graphs(model, 1, 40).items():
                export(module, args, Path(tmp) / f"{name}.onnx", ins, outs, axes)

    files = {}
    text_cfg = spec.text_encoders[0][1]
    configs = {"text_encoder": text_cfg, "unet": spec.unet, "vae_decoder": spec.vae}
    for name, (module, args, ins, outs, axes) in graphs(model, 2, 64).items():
        path = a.out / f"{name}.onnx"
        export(module, args, path, ins, outs, axes)
        data = path.read_bytes()
        files[name] = {
            "file": path.name,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "inputs": ins,
            "outputs": outs,
            "dynamic_axes": {k: {str(i): v for i, v in d.items()} for k, d in axes.items()},
            "parameters": count_parameters(module),
            "config": registry._jsonable(dataclasses.asdict(configs[name])),
            "checked_shapes": shapes[name],
        }
    bos, eos = special_ids(text_cfg.vocab_size)
    manifest = {
        "model_id": spec.model_id,
        "architecture": "stabilityai/stable-diffusion-2-1 (small configuration)",
        "weights": "random",
        "seed": SEED,
        "torch": torch.__version__,
        "opset": OPSET,
        "attention": "math",
        "vocab_size": text_cfg.vocab_size,
        "max_length": text_cfg.max_position_embeddings,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "pad_token_id": eos,
        "cross_attention_dim": spec.unet.cross_attention_dim,
        "latent_channels": spec.vae.latent_channels,
        "vae_scale_factor": spec.vae.scale_factor,
        "scaling_factor": spec.vae.scaling_factor,
        "latent_multiple": 2 ** (len(spec.unet.block_out_channels) - 1),
        "default_width": spec.default_width,
        "default_height": spec.default_height,
        "tokenizer": "genbench stand-in, not CLIP BPE: split the lower-cased prompt on whitespace, keep the first "
                     "max_length - 2 words, id = CRC-32 (zlib / java.util.zip.CRC32) of the word's UTF-8 bytes "
                     "modulo bos_token_id; [bos] + ids + [eos], padded with pad_token_id to max_length",
        "files": files,
    }
    (a.out / "models.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    for name, f in files.items():
        print(f"{f['file']}: {f['bytes']} bytes, {f['parameters']} parameters", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
