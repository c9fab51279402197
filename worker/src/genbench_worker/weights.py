"""Real weights from local files: a pure-Python `.safetensors` reader/writer and the diffusers layout.

safetensors format: 8 bytes little-endian u64 N, then N bytes of JSON
`{"name": {"dtype": "F16", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`,
then the raw little-endian tensor bytes (offsets relative to the end of the header).

A case's `weights` is either
  * a diffusers folder: `unet/diffusion_pytorch_model.safetensors`, `text_encoder/model.safetensors`,
    `text_encoder_2/model.safetensors`, `vae/diffusion_pytorch_model.safetensors` (its `decoder.*` and
    `post_quant_conv.*` keys go to the VAE decoder; `encoder.*` / `quant_conv.*` are not needed);
    `.fp16` variants and sharded `*.safetensors.index.json` files are accepted;
  * a Hugging Face LLM folder (`model.safetensors` or its index) for `opt`;
  * a single `.safetensors` file: the UNet (diffusion) or the whole model (opt).
Key prefixes are fitted automatically (e.g. `text_model.` present in the file but not in the module).
"""

from __future__ import annotations

import ctypes
import json
import mmap
import os
import struct
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import torch

from .models.family import Family

DTYPES: Dict[str, torch.dtype] = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
_NAMES = {v: k for k, v in DTYPES.items()}
_MAX_HEADER = 100 * 1024 * 1024


class WeightsError(ValueError):
    """Weights that cannot be read or do not fit the architecture (names the file and the keys)."""


# --------------------------------------------------------------------------------------------------
# safetensors

def read_header(path: str) -> Tuple[Dict[str, dict], int]:
    """(tensor entries, byte offset of the data section)."""
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) != 8:
            raise WeightsError("%s: too short for a safetensors file" % path)
        (n,) = struct.unpack("<Q", raw)
        if n > _MAX_HEADER:
            raise WeightsError("%s: header of %d bytes; not a safetensors file?" % (path, n))
        try:
            header = json.loads(f.read(n).decode("utf-8"))
        except ValueError as e:
            raise WeightsError("%s: bad safetensors header: %s" % (path, e))
    header.pop("__metadata__", None)
    return header, 8 + n


def load_file(path: str, *, keys: Optional[Iterable[str]] = None) -> Dict[str, torch.Tensor]:
    """All (or the named) tensors of a safetensors file, on CPU, in their stored dtype.

    The file is memory-mapped copy-on-write: tensors share its pages until they are copied into a
    module, so a 5 GB UNet is not read twice.
    """
    header, data_start = read_header(path)
    size = os.path.getsize(path)
    wanted = set(header) if keys is None else set(keys) & set(header)
    out: Dict[str, torch.Tensor] = {}
    if not wanted:
        return out
    with open(path, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    for name in sorted(wanted):
        entry = header[name]
        dtype = DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise WeightsError("%s: tensor %s has unsupported dtype %r; supported: %s"
                               % (path, name, entry.get("dtype"), ", ".join(DTYPES)))
        shape = [int(d) for d in entry["shape"]]
        begin, end = (int(x) for x in entry["data_offsets"])
        numel = 1
        for d in shape:
            numel *= d
        itemsize = torch.empty((), dtype=dtype).element_size()
        if end - begin != numel * itemsize or data_start + end > size:
            raise WeightsError("%s: tensor %s: data_offsets %s do not match shape %s %s"
                               % (path, name, entry["data_offsets"], shape, entry["dtype"]))
        if numel == 0:
            out[name] = torch.empty(shape, dtype=dtype)
            continue
        out[name] = torch.frombuffer(mm, dtype=dtype, count=numel, offset=data_start + begin).view(shape)
    return out


def save_file(tensors: Mapping[str, torch.Tensor], path: str, metadata: Optional[Dict[str, str]] = None) -> None:
    """Write tensors as safetensors (header padded to 8 bytes, as the reference writer does)."""
    header: Dict[str, dict] = {}
    blobs: List[bytes] = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu").contiguous()
        if t.dtype not in _NAMES:
            raise WeightsError("cannot write %s: dtype %s" % (name, t.dtype))
        # raw bytes straight from memory: no numpy, and bfloat16 has no buffer type anyway
        blob = ctypes.string_at(t.data_ptr(), t.numel() * t.element_size()) if t.numel() else b""
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = dict(metadata)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def load_sharded(index_path: str) -> Dict[str, torch.Tensor]:
    """Tensors of a `*.safetensors.index.json` (weight_map: name → shard file)."""
    with open(index_path) as f:
        weight_map = json.load(f).get("weight_map", {})
    folder = os.path.dirname(index_path)
    out: Dict[str, torch.Tensor] = {}
    for shard in sorted(set(weight_map.values())):
        out.update(load_file(os.path.join(folder, shard)))
    return out


# --------------------------------------------------------------------------------------------------
# into modules

IGNORED_SUFFIXES = ("position_ids", "num_batches_tracked")


@dataclass
class LoadReport:
    """What `load_into` did: keys it copied and those it could not place."""

    module: str
    loaded: int = 0
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    mismatched: List[str] = field(default_factory=list)  # "name: file [..] vs module [..]"
    prefix_fit: str = ""

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def describe(self, limit: int = 8) -> str:
        def some(keys: Sequence[str]) -> str:
            shown = ", ".join(keys[:limit])
            return shown + (", … (%d in all)" % len(keys) if len(keys) > limit else "")

        parts = ["%s: %d tensors loaded" % (self.module, self.loaded)]
        if self.prefix_fit:
            parts.append("keys fitted by %s" % self.prefix_fit)
        if self.missing:
            parts.append("missing in the file: " + some(self.missing))
        if self.unexpected:
            parts.append("not in the module: " + some(self.unexpected))
        if self.mismatched:
            parts.append("shape mismatch: " + some(self.mismatched))
        return "; ".join(parts)


_PREFIXES = ("text_model.", "decoder.", "model.", "unet.", "vae.", "module.", "transformer.")


def fit_prefixes(file_keys: Iterable[str], module_keys: Iterable[str]) -> Tuple[Dict[str, str], str]:
    """Map file keys to module keys, adding or stripping one common prefix if that matches better."""
    file_keys = list(file_keys)
    module_set = set(module_keys)
    candidates = [("", lambda k: k)]
    for p in _PREFIXES:
        candidates.append(("stripping %r" % p, lambda k, p=p: k[len(p):] if k.startswith(p) else k))
        candidates.append(("adding %r" % p, lambda k, p=p: p + k))
    best_name, best_fn, best_hits = "", candidates[0][1], -1
    for name, fn in candidates:
        hits = sum(1 for k in file_keys if fn(k) in module_set)
        if hits > best_hits:
            best_name, best_fn, best_hits = name, fn, hits
    return {k: best_fn(k) for k in file_keys}, best_name


def load_into(module: torch.nn.Module, state_dict: Mapping[str, torch.Tensor], *, strict: bool = True,
              name: str = "module", ignore: Sequence[str] = ()) -> LoadReport:
    """Copy tensors into a module's parameters and buffers, converting dtype and device.

    strict: raise WeightsError when a key is missing, unexpected or of the wrong shape (the report
    lists them); otherwise copy what fits and return the report. `ignore`: file-key prefixes that
    are known not to belong here (e.g. the VAE encoder).
    """
    targets = dict(module.named_parameters())
    targets.update({k: v for k, v in module.named_buffers()})
    file_keys = [k for k in state_dict if not any(k.startswith(p) for p in ignore)]
    mapping, fit = fit_prefixes(file_keys, targets)
    report = LoadReport(module=name, prefix_fit=fit)
    seen = set()
    with torch.no_grad():
        for key in file_keys:
            target_name = mapping[key]
            target = targets.get(target_name)
            if target is None:
                if not key.endswith(IGNORED_SUFFIXES):
                    report.unexpected.append(key)
                continue
            source = state_dict[key]
            if tuple(source.shape) != tuple(target.shape):
                report.mismatched.append("%s: file %s vs module %s" % (key, list(source.shape), list(target.shape)))
                continue
            target.copy_(source.to(dtype=target.dtype))
            seen.add(target_name)
            report.loaded += 1
    persistent_buffers = set(module.state_dict().keys())
    report.missing = sorted(
        k for k in targets
        if k not in seen and k in persistent_buffers and not k.endswith(IGNORED_SUFFIXES)
    )
    if strict and not report.ok:
        raise WeightsError(report.describe())
    return report


# --------------------------------------------------------------------------------------------------
# layouts

def _find(folder: str, stems: Sequence[str]) -> Optional[str]:
    """The first existing file among stem.safetensors, stem.fp16.safetensors, and their index.json."""
    for stem in stems:
        for candidate in (stem + ".safetensors", stem + ".fp16.safetensors",
                          stem + ".safetensors.index.json", stem + ".fp16.safetensors.index.json"):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
    return None


def read_any(path: str) -> Dict[str, torch.Tensor]:
    return load_sharded(path) if path.endswith(".index.json") else load_file(path)


def _diffusion_components(model) -> List[Tuple[str, torch.nn.Module, List[str], Sequence[str], Sequence[str]]]:
    """(name, module, subfolders to try, file stems, ignored key prefixes) for each component."""
    parts = [("unet", model.unet, ["unet"], ["diffusion_pytorch_model"], ())]
    encoders = list(getattr(model, "text_encoders", []) or [])
    folders = [["text_encoder"], ["text_encoder_2"]]
    if getattr(model, "family", "") == Family.SVD:
        folders = [["image_encoder"]] + folders
    for i, encoder in enumerate(encoders):
        if i < len(folders):
            name = folders[i][0]
            parts.append((name, encoder, folders[i], ["model", "diffusion_pytorch_model"], ()))
    parts.append(("vae_decoder", model.vae_decoder, ["vae"], ["diffusion_pytorch_model"],
                  ("encoder.", "quant_conv.")))
    return parts


def load_diffusion(model, path: str, *, strict: bool = True) -> List[LoadReport]:
    """Load a diffusers folder (every component found) or a single UNet file into a DiffusionModel."""
    if os.path.isfile(path):
        return [load_into(model.unet, read_any(path), strict=strict, name="unet")]
    if not os.path.isdir(path):
        raise WeightsError("weights %s: no such file or folder" % path)
    reports = []
    for name, module, folders, stems, ignore in _diffusion_components(model):
        file = None
        for sub in folders:
            file = _find(os.path.join(path, sub), stems)
            if file:
                break
        if file is None:
            raise WeightsError("weights %s: no %s weights (looked for %s/%s.safetensors)"
                               % (path, name, folders[0], stems[0]))
        reports.append(load_into(module, read_any(file), strict=strict, name=name, ignore=ignore))
    return reports


def load_llm(module: torch.nn.Module, path: str, *, strict: bool = True) -> List[LoadReport]:
    """Load a Hugging Face causal-LM folder or file (safetensors only) into the whole module."""
    if os.path.isdir(path):
        file = _find(path, ["model"])
        if file is None:
            raise WeightsError("weights %s: no model.safetensors (PyTorch .bin checkpoints are not read; "
                               "convert them to safetensors)" % path)
    elif os.path.isfile(path):
        file = path
    else:
        raise WeightsError("weights %s: no such file or folder" % path)
    report = load_into(module, read_any(file), strict=False, name="model")
    # OPT ties lm_head to the input embeddings; checkpoints often omit it
    report.missing = [k for k in report.missing if not k.endswith("lm_head.weight")]
    if strict and not report.ok:
        raise WeightsError(report.describe())
    return [report]
