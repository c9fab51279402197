"""Models for cases: build through the registry (random weights) or load local weights, and keep the
last one so the next case of the same model reuses it.

A job holds the cases of one model, so the model is built once per job; a kept worker (`--jobs-stdin`) keeps one
cache for all its jobs, so a model stays built from one job to the next (a later trial, the next group of the same
model) as long as no other model came between. A model's build is measured once, the
first time its key is built in this worker, and every case of that model reports that same time in `loaded.load_ns`
(with `reused` true where the case found the model built, false where it was built for it; a model evicted and
built again reports its first build), so a case's cost does not depend on its place in the plan. Before that first
timed build the cache primes the process for it, untimed: the model's tiny configuration is built once on the same
device and dtype (the diffusers backend: diffusers is imported), so the code paths, lazily loaded kernels and
imports every build shares are paid by no case. The cache key is everything a build depends on: (backend, model,
tiny, precision, attention, device, weights, seed of the random weights). The other knobs (compile, channels_last,
cuda_graphs) are applied per case by the scenario on the built model and undone or kept per model in `extras`, so they
are not in the key. Only one model is kept: a different key
evicts the previous model before the new one is built, so two full-size models never share the GPU.
"""

from __future__ import annotations

import gc
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

import torch

from .case import Case
from .devices import device_type, is_cuda
from .failures import Unsupported
from .models.family import Family

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


@dataclass
class LoadedModel:
    """A model ready for cases: what `loaded` reports about it."""

    model: Any
    family: Family
    build_ns: int
    weights: str  # "random" | "local"
    components: Dict[str, int]
    extras: Dict[str, Any] = field(default_factory=dict)  # per-model state scenarios keep (compiled unet …)

    def __post_init__(self):
        self.family = Family.of(self.family)  # a builder may name it by its wire spelling

    @property
    def parameters(self) -> int:
        return int(sum(self.components.values()))


Builder = Callable[[Case, torch.device, torch.dtype], Tuple[Any, Family]]


def registry_builder(case: Case, device: torch.device, dtype: torch.dtype) -> Tuple[Any, Family]:
    """(model, family) from the built-in catalog, with local weights when the case names them; or, for the
    diffusers backend, the user's own pipeline folder."""
    if case.backend == "diffusers":
        from .scenarios import diffusers_pipeline  # noqa: PLC0415

        return diffusers_pipeline.build(case, device, dtype)
    from .models import registry  # noqa: PLC0415

    family = registry.spec(case.model).family
    mode = registry.build_mode(device)  # GENBENCH_BUILD; direct on CUDA (models/construction.py)
    start = time.perf_counter()
    model = registry.build(case.model, tiny=case.tiny, device=device, dtype=dtype, attention=case.knobs.attention,
                           seed=case.measure.seed, mode=mode)
    print("genbench_worker: built %s by %s construction in %.2f s" % (case.model, mode, time.perf_counter() - start),
          file=sys.stderr)
    if case.weights:
        from . import weights  # noqa: PLC0415

        reports = (weights.load_llm(model, case.weights) if family is Family.OPT
                   else weights.load_diffusion(model, case.weights))
        for r in reports:
            print("weights: " + r.describe(), file=sys.stderr)
    return model, family


def registry_prime(case: Case, device: torch.device, dtype: torch.dtype) -> None:
    """Pay, untimed, what the first build of `case`'s model in this process would pay and a later one would not: the
    imports, the construction code paths and the device's lazily loaded kernels, by building the model's tiny
    configuration once (diffusers: importing diffusers). The tiny build goes the same way as the timed one
    (`GENBENCH_BUILD`: direct on CUDA, where it no longer pays torch's first meta operation, ~880 imports, but still the
    device-context construction and the first use of every draw and cast kernel; meta elsewhere). Never raises for a
    model problem: the timed build that follows reports it."""
    try:
        if case.backend == "diffusers":
            import diffusers  # noqa: F401, PLC0415
            return
        from .models import registry  # noqa: PLC0415

        model = registry.build(case.model, tiny=True, device=device, dtype=dtype, attention=case.knobs.attention,
                               seed=case.measure.seed)
        if is_cuda(device):
            torch.cuda.synchronize(device)
        del model
    except Exception:
        return
    finally:
        if is_cuda(device):
            gc.collect()
            torch.cuda.empty_cache()


def component_counts(model: Any, family: Family, case: Case) -> Dict[str, int]:
    counts = getattr(model, "parameter_counts", None)
    if callable(counts):
        return {k: int(v) for k, v in counts().items()}
    if isinstance(model, torch.nn.Module):
        return {"model": int(sum(p.numel() for p in model.parameters()))}
    return {}


def check_precision(case: Case, device: torch.device) -> None:
    """Refuse up front what this device/torch cannot run, with a message saying why."""
    major = int(torch.__version__.split(".")[0])
    if device_type(device) == "cpu" and case.precision == "float16" and major < 2:
        raise Unsupported("float16 on CPU is not supported by torch %s (its CPU kernels lack Half convolutions "
                          "and norms); use float32 or bfloat16, or a GPU" % torch.__version__)
    if is_cuda(device) and case.precision == "bfloat16" and not torch.cuda.is_bf16_supported():
        name = torch.cuda.get_device_name(device)
        raise Unsupported("bfloat16 is not supported on %s (needs compute capability 8.0+)" % name)


class ModelCache:
    """Keeps the most recently built model; `get` builds or reuses. Remembers each model's first measured build."""

    def __init__(self, builder: Builder = registry_builder, now_ns: Callable[[], int] = time.perf_counter_ns,
                 prime: Optional[Callable[[Case, torch.device, torch.dtype], None]] = None):
        self._builder = builder
        self._now_ns = now_ns
        # the registry's own priming goes with the registry's builder; an injected builder primes nothing unless told
        self._prime = prime if prime is not None else (registry_prime if builder is registry_builder else None)
        self._key: Optional[tuple] = None
        self._loaded: Optional[LoadedModel] = None
        self._build_ns: Dict[tuple, int] = {}  # key → the first measured build of that model in this worker

    @staticmethod
    def key(case: Case, device: torch.device) -> tuple:
        return (case.backend, case.model, case.tiny, case.precision, case.knobs.attention, str(device), case.weights,
                case.measure.seed)

    def release_unless_reusable(self, case: Case, device: torch.device) -> None:
        """Drop the kept model (and give its cached memory back) when this case cannot reuse it, so that the case's
        memory peak starts from an empty device rather than from the previous case's reservations."""
        if self._loaded is not None and self.key(case, device) != self._key:
            self.clear()

    def get(self, case: Case, device: torch.device) -> Tuple[LoadedModel, bool]:
        """(model, reused?) for the case. The model's build_ns is its first measured build in this worker."""
        key = self.key(case, device)
        if self._loaded is not None and key == self._key:
            return self._loaded, True
        self.clear()
        check_precision(case, device)
        dtype = DTYPES[case.precision]
        if self._prime is not None and key not in self._build_ns:
            primed = time.perf_counter()  # for the log only: the injected clock times the build
            self._prime(case, device, dtype)
            print("genbench_worker: primed for %s's first build in %.2f s (untimed: the process's first use of its "
                  "code paths and kernels)" % (case.model, time.perf_counter() - primed), file=sys.stderr)
        start = self._now_ns()
        model, family = self._builder(case, device, dtype)
        if is_cuda(device):
            torch.cuda.synchronize(device)
        build_ns = self._build_ns.setdefault(key, int(self._now_ns() - start))
        self._loaded = LoadedModel(model=model, family=family, build_ns=build_ns,
                                   weights="local" if case.weights else "random",
                                   components=component_counts(model, family, case))
        self._key = key
        return self._loaded, False

    def clear(self) -> None:
        """Drop the kept model and give its memory back."""
        if self._loaded is None:
            return
        self._loaded = None
        self._key = None
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
