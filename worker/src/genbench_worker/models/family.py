"""The model families of the catalog: what a model is built as and run by (`models/registry.py`'s `ModelSpec.family`).

A member is a `str` equal to its wire spelling, and `str()` / `format()` give that spelling too, so JSON, messages
and comparisons with plain strings (a hand-written job, `--list-models`) read exactly as when families were strings.
Torch-free: the case and the schedulers may ask without importing the models.
"""

from __future__ import annotations

import enum


class Family(str, enum.Enum):
    SD = "sd"  # Stable Diffusion 1.x / 2.x: one CLIP text encoder, a 2-D UNet
    SDXL = "sdxl"  # two text encoders, added time embeddings
    SVD = "svd"  # Stable Video Diffusion: image-conditioned, a spatio-temporal UNet over frames
    OPT = "opt"  # a causal LM: prefill, then decode with a KV cache

    @property
    def is_diffusion(self) -> bool:
        return self is not Family.OPT

    @property
    def is_video(self) -> bool:
        """Frames, image conditioning and Karras sigmas: SVD only."""
        return self is Family.SVD

    @classmethod
    def of(cls, wire: str) -> "Family":
        """The family a wire string names; ValueError naming the known families for any other."""
        try:
            return cls(wire)
        except ValueError:
            raise ValueError("unknown model family %r; known: %s" % (wire, ", ".join(f.value for f in cls))) from None

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)
