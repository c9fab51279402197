"""``DiffusionModel``: the components of one diffusion pipeline (text encoders, UNet, VAE decoder) and the glue a
denoising loop needs around them: prompt encoding into UNet conditioning, one UNet call, latent decoding.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import torch
from torch import nn

from .family import Family


class DiffusionModel:
    """Families "sd", "sdxl" and "svd" built by :func:`registry.build`.

    Attributes: ``family``, ``spec``, ``text_encoders`` (list, empty for svd), ``text_encoder_names``, ``unet``,
    ``vae_decoder``, ``vae_scale_factor`` (8), ``latent_channels`` (4), ``scaling_factor``, ``vocab_size`` and
    ``max_length`` (of the first text encoder; None for svd), ``device``, ``dtype``.
    """

    def __init__(self, spec, modules: Dict[str, nn.Module], seed: int = 0):
        self.spec = spec
        self.family = Family.of(spec.family)
        self.text_encoder_names: List[str] = [name for name, _ in spec.text_encoders]
        self.text_encoders: List[nn.Module] = [modules[name] for name in self.text_encoder_names]
        self.unet: nn.Module = modules["unet"]
        self.vae_decoder: nn.Module = modules["vae_decoder"]
        self.components: Dict[str, nn.Module] = dict(modules)
        self.vae_scale_factor: int = spec.vae.scale_factor
        self.latent_channels: int = spec.vae.latent_channels
        self.scaling_factor: float = spec.vae.scaling_factor
        first = spec.text_encoders[0][1] if spec.text_encoders else None
        self.vocab_size: Optional[int] = first.vocab_size if first else None
        self.max_length: Optional[int] = first.max_position_embeddings if first else None
        self.seed = seed
        p = next(self.unet.parameters())
        self.device, self.dtype = p.device, p.dtype

    # ------------------------------------------------------------------ conditioning

    @torch.no_grad()
    def encode_prompt(self, input_ids: torch.Tensor, height: Optional[int] = None, width: Optional[int] = None,
                      frames: Optional[int] = None, fps: int = 6, motion_bucket_id: int = 127,
                      noise_aug_strength: float = 0.02) -> dict:
        """Conditioning for :meth:`unet_forward` from ``input_ids [N, 77]`` (one row per UNet batch row).

        * sd: ``{"encoder_hidden_states": [N,77,D], "added_cond_kwargs": None}``.
        * sdxl: both encoders' penultimate states concatenated (768 + 1280 = 2048) and ``added_cond_kwargs`` =
          ``{"text_embeds": pooled [N,1280], "time_ids": [N,6]}`` with time ids (original size, crop (0, 0),
          target size) = (height, width, 0, 0, height, width); height / width default to the spec's.
        * svd (no text; ``input_ids`` only gives N): ``encoder_hidden_states`` = a deterministic random CLIP image
          embedding ``[N,1,1024]``, ``added_time_ids`` = ``[[fps - 1, motion_bucket_id, noise_aug_strength]] * N``
          (diffusers passes fps - 1), and ``image_latents [N,F,4,h,w]`` (the encoded conditioning frame
          repeated; deterministic random) that :meth:`unet_forward` concatenates to the noisy latents.
        """
        n = input_ids.shape[0]
        dev, dt = self.device, self.dtype
        if self.family.is_video:
            h = height or self.spec.default_height
            w = width or self.spec.default_width
            f = frames or self.spec.default_frames
            gen = torch.Generator().manual_seed(self.seed + 7)
            image_embeds = torch.randn(1, 1, self.spec.image_embed_dim, generator=gen).expand(n, 1, -1)
            lat = torch.randn(1, 1, self.latent_channels, h // self.vae_scale_factor, w // self.vae_scale_factor,
                              generator=gen)
            time_ids = torch.tensor([[fps - 1, motion_bucket_id, noise_aug_strength]], dtype=torch.float32)
            return {"encoder_hidden_states": image_embeds.to(dev, dt).contiguous(),
                    "added_time_ids": time_ids.expand(n, 3).to(dev, dt).contiguous(),
                    "image_latents": lat.expand(n, f, -1, -1, -1).to(dev, dt).contiguous()}
        ids = input_ids.to(dev)
        if self.family is Family.SD:
            hidden, _ = self.text_encoders[0](ids)
            return {"encoder_hidden_states": hidden, "added_cond_kwargs": None}
        h1, _ = self.text_encoders[0](ids)
        h2, pooled = self.text_encoders[1](ids)
        h = height or self.spec.default_height
        w = width or self.spec.default_width
        time_ids = torch.tensor([[h, w, 0, 0, h, w]], dtype=dt, device=dev).expand(n, 6)
        return {"encoder_hidden_states": torch.cat([h1, h2], dim=-1),
                "added_cond_kwargs": {"text_embeds": pooled, "time_ids": time_ids}}

    # ------------------------------------------------------------------ denoising and decoding

    def unet_forward(self, sample: torch.Tensor, timestep, cond: dict) -> torch.Tensor:
        """One UNet call. For svd, ``sample [B,F,4,h,w]`` gets ``cond["image_latents"]`` concatenated on the
        channel axis (8 channels in, 4 out), as the SVD pipeline does each step."""
        if self.family.is_video:
            if sample.shape[2] == self.latent_channels and self.unet.config.in_channels == 2 * self.latent_channels:
                image_latents = cond.get("image_latents")
                if image_latents is None or image_latents.shape != sample.shape:
                    raise ValueError("svd conditioning needs image_latents shaped like the sample "
                                     f"{tuple(sample.shape)}; pass height / width / frames to encode_prompt")
                sample = torch.cat([sample, image_latents], dim=2)
            return self.unet(sample, timestep, cond["encoder_hidden_states"], cond["added_time_ids"])
        return self.unet(sample, timestep, cond["encoder_hidden_states"], cond.get("added_cond_kwargs"))

    def decode(self, latents: torch.Tensor, chunk_frames: Optional[int] = None) -> torch.Tensor:
        """Latents → images in about [-1, 1] (1 / scaling_factor applied first).

        ``[N,4,h,w] → [N,3,8h,8w]``; svd ``[B,F,4,h,w] → [B,F,3,8h,8w]``, every frame decoded by the 2D decoder,
        ``chunk_frames`` frames per decoder call (None: all B*F at once, diffusers' default decode chunk).
        """
        z = latents / self.scaling_factor
        if z.dim() == 5:
            b, f = z.shape[:2]
            flat = z.reshape(b * f, *z.shape[2:])
            step = chunk_frames or flat.shape[0]
            out = torch.cat([self.vae_decoder(flat[i:i + step]) for i in range(0, flat.shape[0], step)])
            return out.reshape(b, f, *out.shape[1:])
        return self.vae_decoder(z)

    def latent_shape(self, batch: int, height: int, width: int, frames: Optional[int] = None) -> tuple:
        """``(batch, 4, h/8, w/8)``, or ``(batch, frames, 4, h/8, w/8)`` for svd (frames default: the spec's)."""
        h, w = height // self.vae_scale_factor, width // self.vae_scale_factor
        if self.family.is_video:
            return (batch, frames or self.spec.default_frames, self.latent_channels, h, w)
        return (batch, self.latent_channels, h, w)

    def parameter_counts(self) -> Dict[str, int]:
        """Component name → parameters (``text_encoder``, ``text_encoder_2``, ``unet``, ``vae_decoder``)."""
        return {name: sum(p.numel() for p in m.parameters()) for name, m in self.components.items()}

    def modules(self) -> Dict[str, nn.Module]:
        return dict(self.components)
