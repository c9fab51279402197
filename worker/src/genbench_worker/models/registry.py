"""The model catalog: model ids as users write them → architecture configs, builders and parameter counts.

``spec(model_id)`` describes a model, ``parameter_counts(model_id)`` counts it on the meta device (no memory,
well under a second) and ``build(model_id, ...)`` makes it with deterministic random weights: a
:class:`~genbench_worker.models.diffusion.DiffusionModel` for the diffusion families ("sd", "sdxl", "svd") and an
:class:`~genbench_worker.models.opt.OPTForCausalLM` for "opt". ``tiny=True`` keeps every family's structure with
a few channels, for tests and smoke runs.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple, Union

import torch

from .attention import set_backend
from .construction import build_meta, build_mode, build_random, count_parameters
from .family import Family
from .opt import OPTConfig, OPTForCausalLM
from .text_encoders import CLIPTextConfig
from .tokenizer import tokenize  # noqa: F401  (re-exported: registry.tokenize)
from .unet import UNet2DConfig
from .unet_video import UNetSpatioTemporalConfig
from .vae import VAEDecoderConfig

FAMILIES = tuple(f.value for f in Family)


class UnsupportedModel(ValueError):
    """A model id the catalog does not know."""

    def __init__(self, model_id: str):
        self.model_id = model_id
        super().__init__(f"unsupported model {model_id!r}; known models: {', '.join(known_models())}")


@dataclass(frozen=True)
class ModelSpec:
    """Everything needed to build one catalog model.

    ``text_encoders`` are ``(component name, CLIPTextConfig)`` pairs in pipeline order; ``unet`` is a
    ``UNet2DConfig`` or ``UNetSpatioTemporalConfig``; ``opt`` is set for the LLM family only.
    """
    model_id: str
    family: Family
    tiny: bool = False
    unet: Optional[Union[UNet2DConfig, UNetSpatioTemporalConfig]] = None
    text_encoders: Tuple[Tuple[str, CLIPTextConfig], ...] = ()
    vae: Optional[VAEDecoderConfig] = None
    opt: Optional[OPTConfig] = None
    default_width: Optional[int] = None
    default_height: Optional[int] = None
    default_frames: Optional[int] = None
    image_embed_dim: Optional[int] = None  # SVD: CLIP image embedding width fed to cross-attention

    @property
    def scaling_factor(self) -> Optional[float]:
        return self.vae.scaling_factor if self.vae else None

    @property
    def is_diffusion(self) -> bool:
        return self.family.is_diffusion

    def to_json(self) -> Dict[str, Any]:
        """Plain-JSON description (configs as dicts)."""
        return _jsonable(dataclasses.asdict(self))


def _jsonable(x):
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x


# ---------------------------------------------------------------------------------------------- configs

CLIP_L = CLIPTextConfig()  # openai/clip-vit-large-patch14 text tower
OPENCLIP_H = CLIPTextConfig(hidden_size=1024, intermediate_size=4096, num_hidden_layers=23, num_attention_heads=16,
                            hidden_act="gelu")
OPENCLIP_BIGG = CLIPTextConfig(hidden_size=1280, intermediate_size=5120, num_hidden_layers=32, num_attention_heads=20,
                               hidden_act="gelu", projection_dim=1280, output="penultimate", pooled=True)

SD15_UNET = UNet2DConfig(cross_attention_dim=768, attention_head_dim=8)
SD21_UNET = UNet2DConfig(cross_attention_dim=1024, attention_head_dim=(5, 10, 20, 20), use_linear_projection=True)
SDXL_UNET = UNet2DConfig(
    block_out_channels=(320, 640, 1280),
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    transformer_layers_per_block=(1, 2, 10), attention_head_dim=(5, 10, 20), cross_attention_dim=2048,
    use_linear_projection=True, addition_embed_type="text_time", addition_time_embed_dim=256,
    projection_class_embeddings_input_dim=2816)
SVD_UNET = UNetSpatioTemporalConfig()

SD_VAE = VAEDecoderConfig(scaling_factor=0.18215)
SDXL_VAE = VAEDecoderConfig(scaling_factor=0.13025)


def _opt(hidden: int, layers: int, heads: int, **kw) -> OPTConfig:
    return OPTConfig(hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads, ffn_dim=4 * hidden, **kw)


OPT_CONFIGS = {
    "facebook/opt-125m": _opt(768, 12, 12),
    "facebook/opt-350m": _opt(1024, 24, 16, word_embed_proj_dim=512, do_layer_norm_before=False),
    "facebook/opt-1.3b": _opt(2048, 24, 32),
    "facebook/opt-2.7b": _opt(2560, 32, 32),
    "facebook/opt-6.7b": _opt(4096, 32, 32),
    "facebook/opt-13b": _opt(5120, 40, 40),
}

# tiny: same structure, few channels (scale factor of the VAE stays 8)
_TINY_CLIP = CLIPTextConfig(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                            num_attention_heads=4)
_TINY_VAE = dict(block_out_channels=(16, 16, 32, 32), layers_per_block=1, norm_num_groups=8)
_TINY_UNET = dict(block_out_channels=(32, 64), layers_per_block=1, transformer_layers_per_block=1,
                  num_attention_heads=(4, 8), cross_attention_dim=32, norm_num_groups=8)


def _tiny_sd(s: ModelSpec) -> ModelSpec:
    enc = _TINY_CLIP if s.text_encoders[0][1].hidden_act == "quick_gelu" else dataclasses.replace(
        _TINY_CLIP, hidden_act="gelu")
    unet = dataclasses.replace(s.unet, down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
                               up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"), **_TINY_UNET)
    return dataclasses.replace(s, tiny=True, text_encoders=(("text_encoder", enc),), unet=unet,
                               vae=dataclasses.replace(s.vae, **_TINY_VAE))


def _tiny_sdxl(s: ModelSpec) -> ModelSpec:
    te1 = dataclasses.replace(_TINY_CLIP, output="penultimate")
    te2 = dataclasses.replace(_TINY_CLIP, hidden_act="gelu", projection_dim=32, output="penultimate", pooled=True)
    unet = dataclasses.replace(s.unet, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                               up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), addition_time_embed_dim=8,
                               projection_class_embeddings_input_dim=32 + 6 * 8,
                               **dict(_TINY_UNET, cross_attention_dim=64, transformer_layers_per_block=(1, 2)))
    return dataclasses.replace(s, tiny=True, text_encoders=(("text_encoder", te1), ("text_encoder_2", te2)),
                               unet=unet, vae=dataclasses.replace(s.vae, **_TINY_VAE))


def _tiny_svd(s: ModelSpec) -> ModelSpec:
    unet = dataclasses.replace(
        s.unet, block_out_channels=(32, 64), layers_per_block=1, num_attention_heads=(4, 8), cross_attention_dim=32,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"), addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=3 * 8, norm_num_groups=8)
    return dataclasses.replace(s, tiny=True, unet=unet, vae=dataclasses.replace(s.vae, **_TINY_VAE),
                               image_embed_dim=32)


def _tiny_opt(s: ModelSpec) -> ModelSpec:
    # 8 layers and 8 heads (FFN 64): the simulated suite splits it into up to 8 pipeline stages and 8 tensor-parallel
    # shards, as on an 8-GPU host
    opt = dataclasses.replace(s.opt, vocab_size=1000, hidden_size=32, num_hidden_layers=8, num_attention_heads=8,
                              ffn_dim=64, max_position_embeddings=512,
                              word_embed_proj_dim=16 if s.opt.word_embed_proj_dim else None)
    return dataclasses.replace(s, tiny=True, opt=opt)


_SPECS: Dict[str, ModelSpec] = {
    "runwayml/stable-diffusion-v1-5": ModelSpec(
        "runwayml/stable-diffusion-v1-5", Family.SD, unet=SD15_UNET, text_encoders=(("text_encoder", CLIP_L),),
        vae=SD_VAE, default_width=512, default_height=512),
    "stabilityai/stable-diffusion-2-1": ModelSpec(
        "stabilityai/stable-diffusion-2-1", Family.SD, unet=SD21_UNET, text_encoders=(("text_encoder", OPENCLIP_H),),
        vae=SD_VAE, default_width=768, default_height=768),
    "stabilityai/stable-diffusion-xl-base-1.0": ModelSpec(
        "stabilityai/stable-diffusion-xl-base-1.0", Family.SDXL, unet=SDXL_UNET,
        text_encoders=(("text_encoder", dataclasses.replace(CLIP_L, output="penultimate")),
                       ("text_encoder_2", OPENCLIP_BIGG)),
        vae=SDXL_VAE, default_width=1024, default_height=1024),
    "stabilityai/stable-video-diffusion-img2vid-xt": ModelSpec(
        "stabilityai/stable-video-diffusion-img2vid-xt", Family.SVD, unet=SVD_UNET, vae=SD_VAE, default_width=1024,
        default_height=576, default_frames=14, image_embed_dim=1024),
    **{mid: ModelSpec(mid, Family.OPT, opt=cfg) for mid, cfg in OPT_CONFIGS.items()},
}

_TINY: Dict[Family, Callable[[ModelSpec], ModelSpec]] = {Family.SD: _tiny_sd, Family.SDXL: _tiny_sdxl,
                                                         Family.SVD: _tiny_svd, Family.OPT: _tiny_opt}


def known_models() -> Tuple[str, ...]:
    return tuple(_SPECS)


def spec(model_id: str, tiny: bool = False) -> ModelSpec:
    """The catalog entry for ``model_id`` (its tiny variant with ``tiny=True``); raises :class:`UnsupportedModel`."""
    try:
        s = _SPECS[model_id]
    except KeyError:
        raise UnsupportedModel(model_id) from None
    return _TINY[s.family](s) if tiny else s


# ---------------------------------------------------------------------------------------------- building

def component_factories(s: ModelSpec) -> Dict[str, Callable[[], torch.nn.Module]]:
    """Component name → constructor, in build order (diffusers component names; ``model`` for an LLM)."""
    from .text_encoders import CLIPTextModel
    from .unet import UNet2DConditionModel
    from .unet_video import UNetSpatioTemporalConditionModel
    from .vae import AutoencoderKLDecoder

    if s.family is Family.OPT:
        return {"model": lambda: OPTForCausalLM(s.opt)}
    out: Dict[str, Callable[[], torch.nn.Module]] = {}
    for name, cfg in s.text_encoders:
        out[name] = (lambda c=cfg: CLIPTextModel(c))
    unet_cls = UNetSpatioTemporalConditionModel if s.family.is_video else UNet2DConditionModel
    out["unet"] = lambda: unet_cls(s.unet)
    out["vae_decoder"] = lambda: AutoencoderKLDecoder(s.vae)
    return out


def parameter_counts(model_id: str, tiny: bool = False) -> Dict[str, int]:
    """Component name → parameter count, from modules built on the meta device (no memory is allocated).

    Diffusion components: ``text_encoder`` / ``text_encoder_2`` (absent for SVD), ``unet``, ``vae_decoder``
    (``post_quant_conv`` + decoder). OPT: ``model`` (tied embedding counted once).
    """
    s = spec(model_id, tiny)
    return {name: count_parameters(build_meta(make)) for name, make in component_factories(s).items()}


def embedded_spec() -> ModelSpec:
    """The small SD 2.1-architecture model exported to ONNX for the embedded (Java) default.

    Bigger than the tiny test configuration, small enough that one UNet step at 512x512 (latent 64x64, batch 2)
    takes about 25 ms on a 2-core CPU (onnxruntime): four levels of UNet channels (16, 32, 32, 64) as in SD's
    four-level layout, attention (heads of 16 channels, cross-attention width 64) on the two lowest resolutions
    only, one layer per block; text encoder width 64, 2 layers, vocabulary 1000; VAE decoder channels
    (8, 16, 32, 32), one layer per block (scale factor 8). Latent sides must be multiples of 8 (pixels of 64).
    Not in the catalog: build it with :func:`build_spec`.
    """
    base = _SPECS["stabilityai/stable-diffusion-2-1"]
    text = dataclasses.replace(OPENCLIP_H, vocab_size=1000, hidden_size=64, intermediate_size=256,
                               num_hidden_layers=2, num_attention_heads=4)
    unet = dataclasses.replace(
        SD21_UNET, block_out_channels=(16, 32, 32, 64), layers_per_block=1, num_attention_heads=(1, 2, 2, 4),
        down_block_types=("DownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D", "UpBlock2D"),
        cross_attention_dim=64, norm_num_groups=16)
    vae = dataclasses.replace(SD_VAE, block_out_channels=(8, 16, 32, 32), layers_per_block=1, norm_num_groups=8)
    return dataclasses.replace(base, model_id=EMBEDDED_MODEL_ID, text_encoders=(("text_encoder", text),),
                               unet=unet, vae=vae, default_width=512, default_height=512)


EMBEDDED_MODEL_ID = "genbench/sd-2-1-small"


def build(model_id: str, *, tiny: bool = False, device: Union[str, torch.device] = "cpu",
          dtype: torch.dtype = torch.float32, attention: str = "sdpa", seed: int = 0, mode: Optional[str] = None):
    """The model with deterministic random weights from ``seed``, on ``device`` in ``dtype``, eval mode, no grads.

    Returns a :class:`DiffusionModel` (families sd / sdxl / svd) or an :class:`OPTForCausalLM` (family opt).
    ``attention`` ("sdpa" | "math") is set on every attention module; "sdpa" falls back to "math" on a torch
    without SDPA. Each component is built on the meta device and materialised directly on ``device`` (``mode``
    "meta"), or constructed on ``device`` and filled with the same draws ("direct"); None: ``build_mode(device)``
    (``GENBENCH_BUILD``; direct on CUDA). Both give bit-equal weights.
    """
    return build_spec(spec(model_id, tiny), device=device, dtype=dtype, attention=attention, seed=seed, mode=mode)


def build_spec(s: ModelSpec, *, device: Union[str, torch.device] = "cpu", dtype: torch.dtype = torch.float32,
               attention: str = "sdpa", seed: int = 0, mode: Optional[str] = None):
    """:func:`build` for a :class:`ModelSpec` (e.g. :func:`embedded_spec`); same seeds give the same weights."""
    from .diffusion import DiffusionModel

    mode = mode or build_mode(device)
    modules = {}
    for i, (name, make) in enumerate(component_factories(s).items()):
        module = build_random(make, device, dtype, seed + 1000 * i, mode)
        modules[name] = set_backend(module, attention)
    if s.family is Family.OPT:
        return modules["model"]
    return DiffusionModel(s, modules, seed=seed)
