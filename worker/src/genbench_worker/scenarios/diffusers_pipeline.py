"""The `diffusers` backend: the user's own diffusers pipeline, measured by genbench's loop and timers.

`DiffusionPipeline.from_pretrained(weights, local_files_only=True)` loads the pipeline folder the case names
(no download). Its components (text encoders, UNet, VAE, the scheduler's prediction type) replace genbench's
built-in ones behind the same interface as `models.diffusion.DiffusionModel`, so the denoising loop, CFG, the
per-phase CUDA-event timing, the knobs and the protocol are exactly those of the `torch` backend. Tokenization
uses genbench's stand-in ids (below the pipeline's vocabulary); CLIP's BPE costs microseconds either way.
Stable Diffusion (1.x / 2.x) and SDXL pipelines are supported; other pipelines are reported `unsupported`.
"""
from typing import Any, Dict, Optional

import torch

from ..failures import Unsupported
from ..models.family import Family


class DiffusersModel:
    """A loaded diffusers pipeline seen through genbench's DiffusionModel interface."""

    def __init__(self, pipe: Any):
        self.pipe = pipe
        self.unet = pipe.unet
        self.vae_decoder = pipe.vae
        self.family = Family.SDXL if getattr(pipe, "text_encoder_2", None) is not None else Family.SD
        self.text_encoders = [e for e in (getattr(pipe, "text_encoder", None), getattr(pipe, "text_encoder_2", None))
                              if e is not None]
        self.text_encoder_names = ["text_encoder", "text_encoder_2"][: len(self.text_encoders)]
        self.vae_scale_factor = 2 ** (len(pipe.vae.config.block_out_channels) - 1)
        self.latent_channels = pipe.unet.config.in_channels
        self.scaling_factor = pipe.vae.config.scaling_factor
        self.vocab_size = self.text_encoders[0].config.vocab_size  # the ids feed this embedding table
        self.max_length = getattr(getattr(pipe, "tokenizer", None), "model_max_length", 77) or 77
        if self.max_length > 1024:  # tokenizers without a limit report a huge sentinel
            self.max_length = 77
        p = next(pipe.unet.parameters())
        self.device, self.dtype = p.device, p.dtype
        self.prediction_type = getattr(pipe.scheduler.config, "prediction_type", None) or "epsilon"
        self.spec = self  # the scenario reads prediction_type from the spec

    def encode_prompt(self, input_ids: torch.Tensor, height: Optional[int] = None, width: Optional[int] = None,
                      frames: Optional[int] = None, **_: Any) -> Dict[str, Any]:
        ids = input_ids.to(self.device)
        if self.family is Family.SD:
            hidden = self.text_encoders[0](ids, return_dict=False)[0]
            return {"encoder_hidden_states": hidden, "added_cond_kwargs": None}
        states = []
        pooled = None
        for encoder in self.text_encoders:
            out = encoder(ids, output_hidden_states=True, return_dict=False)
            states.append(out[-1][-2])  # penultimate layer, as the SDXL pipeline does
            pooled = out[0]  # text_encoder_2 (with projection): the pooled text embedding
        h, w = height, width
        time_ids = torch.tensor([[h, w, 0, 0, h, w]] * ids.shape[0], device=self.device, dtype=self.dtype)
        return {"encoder_hidden_states": torch.cat(states, dim=-1),
                "added_cond_kwargs": {"text_embeds": pooled.to(self.dtype), "time_ids": time_ids}}

    def unet_forward(self, sample: torch.Tensor, timestep, cond: dict) -> torch.Tensor:
        kwargs = {}
        if cond.get("added_cond_kwargs") is not None:
            kwargs["added_cond_kwargs"] = cond["added_cond_kwargs"]
        return self.unet(sample, timestep, encoder_hidden_states=cond["encoder_hidden_states"], return_dict=False,
                         **kwargs)[0]

    def decode(self, latents: torch.Tensor, chunk_frames: Optional[int] = None) -> torch.Tensor:
        return self.vae_decoder.decode(latents / self.scaling_factor, return_dict=False)[0]

    def latent_shape(self, batch: int, height: int, width: int, frames: Optional[int] = None) -> tuple:
        return (batch, self.latent_channels, height // self.vae_scale_factor, width // self.vae_scale_factor)

    def parameter_counts(self) -> Dict[str, int]:
        counts = {name: sum(p.numel() for p in e.parameters()) for name, e in zip(self.text_encoder_names, self.text_encoders)}
        counts["unet"] = sum(p.numel() for p in self.unet.parameters())
        counts["vae"] = sum(p.numel() for p in self.vae_decoder.parameters())
        return counts


def build(case: Any, device: torch.device, dtype: torch.dtype):
    """(DiffusersModel, family) for the case's local pipeline folder."""
    try:
        import diffusers  # noqa: PLC0415
    except ImportError as e:
        raise Unsupported("the diffusers backend needs the diffusers package importable by this Python (%s)" % e)
    if not case.weights:
        raise Unsupported("the diffusers backend runs your own pipeline: give its local folder with --weights")
    pipe = diffusers.DiffusionPipeline.from_pretrained(case.weights, torch_dtype=dtype, local_files_only=True)
    if not hasattr(pipe, "unet") or not hasattr(pipe, "vae") or not hasattr(pipe, "text_encoder"):
        raise Unsupported("the diffusers backend supports Stable Diffusion and SDXL pipelines; %s is a %s"
                          % (case.weights, type(pipe).__name__))
    if case.knobs.attention == "math":
        from diffusers.models.attention_processor import AttnProcessor  # noqa: PLC0415

        pipe.unet.set_attn_processor(AttnProcessor())
    pipe.to(device)
    for module in (pipe.unet, pipe.vae, pipe.text_encoder, getattr(pipe, "text_encoder_2", None)):
        if module is not None:
            module.eval()
            module.requires_grad_(False)
    model = DiffusersModel(pipe)
    return model, model.family
