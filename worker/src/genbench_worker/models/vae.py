"""The decoder half of diffusers' ``AutoencoderKL`` (SD 1.5 / 2.1 / XL, and SVD decoded frame by frame).

Parameter names are diffusers' ``vae`` names for the decoding path: ``post_quant_conv.*`` and ``decoder.*``
(``decoder.mid_block.attentions.0.to_q.weight``, ``decoder.up_blocks.0.resnets.0.conv1.weight``...), so the
decoder part of a diffusers VAE state_dict loads by name.

SVD ships ``AutoencoderKLTemporalDecoder`` (the same 2D decoder plus temporal mixing layers); this benchmark
decodes SVD latents with the 2D SD decoder applied to each frame, which has the same spatial cost but not the
temporal layers' (a documented simplification).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import torch
from torch import nn

from .attention import Attention
from .blocks import MidBlock, ResnetBlock2D, Upsample2D, chained_channels


@dataclass(frozen=True)
class VAEDecoderConfig:
    latent_channels: int = 4
    out_channels: int = 3
    block_out_channels: Tuple[int, ...] = (128, 256, 512, 512)
    layers_per_block: int = 2
    norm_num_groups: int = 32
    scaling_factor: float = 0.18215

    @property
    def scale_factor(self) -> int:
        """Pixels per latent along each side: 2 ** (number of blocks - 1)."""
        return 2 ** (len(self.block_out_channels) - 1)


class UNetMidBlock2D(MidBlock):
    """The UNets' middle without a time embedding or context: resnet, single-head self-attention, resnet."""

    def __init__(self, channels: int, groups: int, eps: float = 1e-6):
        super().__init__(Attention(channels, None, heads=1, dim_head=channels, bias=True, norm_num_groups=groups,
                                   eps=eps),
                         [ResnetBlock2D(channels, channels, None, groups, eps) for _ in range(2)])


class UpDecoderBlock2D(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, num_layers: int, add_upsample: bool, groups: int):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(i, o, None, groups, 1e-6)
                                      for i, o in chained_channels(in_channels, out_channels, num_layers)])
        self.upsamplers = nn.ModuleList([Upsample2D(out_channels)]) if add_upsample else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for resnet in self.resnets:
            x = resnet(x)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class Decoder(nn.Module):
    def __init__(self, c: VAEDecoderConfig):
        super().__init__()
        rev = list(reversed(c.block_out_channels))
        self.conv_in = nn.Conv2d(c.latent_channels, rev[0], 3, padding=1)
        self.mid_block = UNetMidBlock2D(rev[0], c.norm_num_groups)
        self.up_blocks = nn.ModuleList()
        out_ch = rev[0]
        for i, ch in enumerate(rev):
            prev, out_ch = out_ch, ch
            self.up_blocks.append(UpDecoderBlock2D(prev, out_ch, c.layers_per_block + 1, i < len(rev) - 1,
                                                   c.norm_num_groups))
        self.conv_norm_out = nn.GroupNorm(c.norm_num_groups, c.block_out_channels[0], eps=1e-6)
        self.conv_act = nn.SiLU()
        self.conv_out = nn.Conv2d(c.block_out_channels[0], c.out_channels, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.mid_block(self.conv_in(z))
        for block in self.up_blocks:
            x = block(x)
        return self.conv_out(self.conv_act(self.conv_norm_out(x)))


class AutoencoderKLDecoder(nn.Module):
    """``forward(latents [N,4,h,w]) → images [N,3,8h,8w]``, latents already divided by ``scaling_factor``."""

    def __init__(self, config: VAEDecoderConfig):
        super().__init__()
        self.config = config
        self.post_quant_conv = nn.Conv2d(config.latent_channels, config.latent_channels, 1)
        self.decoder = Decoder(config)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.post_quant_conv(latents))
