"""Building modules without memory (``meta`` device) and filling them with deterministic random weights.

``on_meta()`` constructs every parameter on the ``meta`` device: torch >= 2.0 through ``with torch.device("meta")``,
torch 1.13 by routing the tensor factories (``torch.empty`` & co., which ``nn`` layers call without a device)
to ``meta``. Parameter counting and :func:`materialize` start from there, so a 2.5 B-parameter UNet is never
initialised on the CPU just to be moved or counted.

:func:`build_direct` builds the same random-weight model without meta: the modules are constructed on the target device
(``with torch.device(dev)``; torch 1.13: the same factory routing as ``on_meta``) in the target dtype (the default dtype
set to it for the construction, so no float32 copy of the model exists), with ``torch.nn.init``'s functions turned into
no-ops meanwhile (every value is overwritten by the draws, so the layers' own initialisation would be work and global
RNG state spent for nothing), then filled by exactly :func:`materialize`'s draws: the weights are bit-equal
(tests/test_construction.py). Why: on torch 2.x a process's first meta-device operation imports ~880 modules
(torch._dynamo, sympy, ...; 3.5-5 s on an H100 host, bench/RESULTS.md, issue 18), which a direct build never needs.
:func:`build_mode` picks the path: ``GENBENCH_BUILD=direct|meta``, by default direct on CUDA and meta elsewhere.
"""
from __future__ import annotations

import contextlib
import math
import os
from typing import Callable, Iterator, Mapping, TypeVar

import torch
from torch import nn

M = TypeVar("M", bound=nn.Module)

_FACTORIES = ("empty", "zeros", "ones", "full", "rand", "randn", "arange", "tensor")


@contextlib.contextmanager
def on_meta() -> Iterator[None]:
    """Within the block, new parameters (and factory-made tensors) live on the ``meta`` device."""
    with on_device("meta"):
        yield


@contextlib.contextmanager
def on_device(device) -> Iterator[None]:
    """Within the block, new parameters (and factory-made tensors) live on ``device``."""
    target = torch.device(device)
    if hasattr(target, "__enter__"):  # torch >= 2.0: device as a context manager
        with target:
            yield
        return
    saved = {name: getattr(torch, name) for name in _FACTORIES}

    def patch(fn: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            if kwargs.get("device") is None:
                kwargs["device"] = target
            return fn(*args, **kwargs)
        return wrapper

    try:
        for name, fn in saved.items():
            setattr(torch, name, patch(fn))
        yield
    finally:
        for name, fn in saved.items():
            setattr(torch, name, fn)


def build_meta(factory: Callable[[], M]) -> M:
    """``factory()`` with its parameters on the meta device."""
    with on_meta():
        return factory()


#: GENBENCH_BUILD=direct|meta: how random-weight models are built (build_mode).
BUILD_ENV = "GENBENCH_BUILD"
BUILD_MODES = ("direct", "meta")


def build_mode(device, environ: Mapping[str, str] = os.environ) -> str:
    """"direct" or "meta": ``$GENBENCH_BUILD`` when set, else direct on CUDA (the first meta operation's imports cost
    seconds there, issue 18) and meta elsewhere (the CPU path as it was: tests, the embedded model, committed runs).
    Raises ValueError naming the variable and the valid choices for any other value."""
    chosen = environ.get(BUILD_ENV, "").strip().lower()
    if chosen:
        if chosen not in BUILD_MODES:
            raise ValueError("%s=%s (environment): use %s"
                             % (BUILD_ENV, environ.get(BUILD_ENV), " or ".join(BUILD_MODES)))
        return chosen
    return "direct" if torch.device(device).type == "cuda" else "meta"


def build_random(factory: Callable[[], M], device, dtype: torch.dtype, seed: int, mode: str = "meta") -> M:
    """``factory()``'s module with :func:`materialize`'s weights, built the ``mode`` way ("direct" | "meta")."""
    if mode == "direct":
        return build_direct(factory, device, dtype, seed)
    if mode == "meta":
        return materialize(build_meta(factory), device, dtype, seed)
    raise ValueError("build mode %r: use %s" % (mode, " or ".join(BUILD_MODES)))


_INIT_FUNCTIONS = ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
                   "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
                   "sparse_")


@contextlib.contextmanager
def _no_init() -> Iterator[None]:
    """Within the block, ``torch.nn.init``'s in-place initialisers return their tensor untouched."""
    init = torch.nn.init
    saved = {name: getattr(init, name) for name in _INIT_FUNCTIONS if hasattr(init, name)}

    def skip(tensor, *args, **kwargs):
        return tensor

    try:
        for name in saved:
            setattr(init, name, skip)
        yield
    finally:
        for name, fn in saved.items():
            setattr(init, name, fn)


@contextlib.contextmanager
def _default_dtype(dtype: torch.dtype) -> Iterator[bool]:
    """Within the block, ``dtype`` is the default floating dtype (yields False where torch refuses it)."""
    saved = torch.get_default_dtype()
    try:
        torch.set_default_dtype(dtype)
    except (TypeError, RuntimeError):
        yield False
        return
    try:
        yield True
    finally:
        torch.set_default_dtype(saved)


@torch.no_grad()
def build_direct(factory: Callable[[], M], device, dtype: torch.dtype, seed: int) -> M:
    """``factory()`` constructed on ``device`` in ``dtype`` and filled with :func:`materialize`'s draws (bit-equal
    weights for the same seed), without the meta device. The parameters are made in ``dtype`` directly (no float32
    copy) where torch accepts it as the default dtype; else in float32 and cast, one component at a time."""
    device = torch.device(device)
    with _no_init(), _default_dtype(dtype), on_device(device):
        module = factory()
    module = module.to(dtype=dtype)  # a no-op where the default dtype took; the cast where it did not
    return _fill(module, device, dtype, seed)


def count_parameters(module: nn.Module) -> int:
    """Distinct parameters (tied weights once), as ``sum(p.numel() for p in module.parameters())``."""
    return sum(p.numel() for p in module.parameters())


@torch.no_grad()
def materialize(module: M, device, dtype: torch.dtype, seed: int) -> M:
    """Allocates a meta-built ``module`` on ``device`` and fills it deterministically from ``seed``.

    Linear / conv weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's default bound), norms at
    weight 1 / bias 0, embeddings ~ N(0, 0.02), other parameters via the owning module's ``init_parameters()``.
    The module is cast to ``dtype`` while still on meta, so the full-size float32 copy never exists. The draws are
    made in float32 on ``device`` (one parameter at a time: in place for a float32 model, else into one reused float32
    scratch buffer, then cast), so the same seed gives the same model in every dtype on one device kind. Returns the
    module in eval mode with ``requires_grad`` off.
    """
    device = torch.device(device)
    module = module.to(dtype=dtype)  # still on meta: allocates nothing
    module = module.to_empty(device=device)
    if hasattr(module, "tie_weights"):  # moving off meta may have untied shared parameters
        module.tie_weights()
    return _fill(module, device, dtype, seed)


def _fill(module: M, device: torch.device, dtype: torch.dtype, seed: int) -> M:
    """:func:`materialize`'s draws into ``module``'s parameters (already on ``device`` in ``dtype``), eval, no grads."""
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    draws = _Draws(gen, device, _largest_draw(module, dtype))
    done = set()
    for sub in module.modules():
        own = {n: p for n, p in sub.named_parameters(recurse=False) if id(p) not in done}
        if not own:
            continue
        if isinstance(sub, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            w = sub.weight
            fan_in = w.shape[1] * (w[0, 0].numel() if w.dim() > 2 else 1)
            bound = 1.0 / math.sqrt(fan_in)
            draws.uniform(w, bound)
            if sub.bias is not None:
                draws.uniform(sub.bias, bound)
        elif isinstance(sub, (nn.GroupNorm, nn.LayerNorm)):
            if sub.weight is not None:
                sub.weight.fill_(1.0)
                sub.bias.fill_(0.0)
        elif isinstance(sub, nn.Embedding):
            draws.normal(sub.weight, 0.02)
        elif hasattr(sub, "init_parameters"):
            sub.init_parameters(gen)
        else:
            for p in own.values():
                draws.normal(p, 0.02)
        done.update(id(p) for p in own.values())
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    return module


def _largest_draw(module: nn.Module, dtype: torch.dtype) -> int:
    """Elements of the largest parameter whose draw needs a float32 scratch (0 when the module is float32)."""
    if dtype == torch.float32:
        return 0
    return max((p.numel() for p in module.parameters() if p.dtype != torch.float32), default=0)


class _Draws:
    """The seeded float32 draws of :func:`materialize`, made without a temporary per parameter.

    A float32 parameter is drawn in place; any other is drawn into a slice of one float32 scratch buffer (the size of
    the largest such parameter, allocated once) and copied, with a cast. A draw into a contiguous float32 tensor of a
    given shape takes the same values from the generator whatever memory it fills, so the weights are those the
    previous code made with a fresh float32 tensor per parameter (tests/test_models.py, bench/first_build.py
    --reference)."""

    def __init__(self, gen: torch.Generator, device: torch.device, scratch_numel: int):
        self._gen = gen
        self._scratch = torch.empty(scratch_numel, dtype=torch.float32, device=device) if scratch_numel else None

    def _target(self, p: torch.Tensor) -> torch.Tensor:
        if p.dtype == torch.float32 and p.is_contiguous():
            return p
        if self._scratch is None or p.numel() > self._scratch.numel():  # a parameter not counted up front
            return torch.empty(p.shape, dtype=torch.float32, device=p.device)
        return self._scratch[:p.numel()].view(p.shape)

    def uniform(self, p: torch.Tensor, bound: float) -> None:
        t = self._target(p)
        t.uniform_(-bound, bound, generator=self._gen)
        if t is not p:
            p.copy_(t)

    def normal(self, p: torch.Tensor, std: float) -> None:
        t = self._target(p)
        t.normal_(0.0, std, generator=self._gen)
        if t is not p:
            p.copy_(t)
