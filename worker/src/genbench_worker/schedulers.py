"""Noise schedulers, written after diffusers' EulerDiscreteScheduler and DDIMScheduler.

Both use the Stable Diffusion training schedule: `scaled_linear` betas from 0.00085 to 0.012 over
1000 training steps, and the *leading* timestep spacing with `steps_offset=1`, as the SD 1.x / 2.x /
XL scheduler configs on the Hub do: for n steps, t = (0, r, 2r, …, (n-1)r) + 1 reversed, r = 1000 // n
(20 steps: 951, 901, …, 1). SVD's Euler uses Karras sigmas in [0.002, 700] and continuous
timesteps 0.25·ln σ (`Euler.karras()`).

Prediction types: `epsilon` (SD 1.x, SD 2.x base, SDXL) and `v_prediction` (SD 2.x 768, SVD).

The interface is index-based so the denoising loop never looks values up (and never syncs a GPU):

    s = make("euler", steps, prediction_type)
    latents = noise * s.init_noise_sigma
    for i in range(len(s)):
        model_in = s.scale_model_input(latents, i)
        out = unet(model_in, s.timesteps[i])
        latents = s.step(out, i, latents)

Scalars are Python floats computed in float64, so multiplying a CUDA tensor by them costs no copy.
"""

from __future__ import annotations

import math
from typing import List

import torch

from .models.family import Family

TRAIN_STEPS = 1000
BETA_START = 0.00085
BETA_END = 0.012
PREDICTION_TYPES = ("epsilon", "v_prediction")


def scaled_linear_alphas_cumprod(train_steps: int = TRAIN_STEPS, beta_start: float = BETA_START,
                                 beta_end: float = BETA_END) -> List[float]:
    """ᾱ_t for t in [0, train_steps): betas linear in sqrt space (float32, as diffusers computes them)."""
    betas = torch.linspace(beta_start ** 0.5, beta_end ** 0.5, train_steps, dtype=torch.float32) ** 2
    alphas_cumprod = torch.cumprod(1.0 - betas.double(), dim=0)
    return [float(a) for a in alphas_cumprod]


def leading_timesteps(steps: int, train_steps: int = TRAIN_STEPS, steps_offset: int = 1) -> List[int]:
    if steps > train_steps:
        raise ValueError("inference_steps (%d) must be <= %d training steps" % (steps, train_steps))
    ratio = train_steps // steps
    return [i * ratio + steps_offset for i in reversed(range(steps))]


def _check_prediction(prediction_type: str) -> str:
    if prediction_type not in PREDICTION_TYPES:
        raise ValueError("unknown prediction_type %r; known: %s" % (prediction_type, ", ".join(PREDICTION_TYPES)))
    return prediction_type


def _clamp(t: int, train_steps: int) -> int:
    # leading spacing with steps_offset=1 reaches t = train_steps at 1000 steps; diffusers clamps too
    return min(max(t, 0), train_steps - 1)


class Scheduler:
    """Common surface: `timesteps` (float tensor, one per step), `init_noise_sigma`, step by index."""

    timesteps: torch.Tensor
    init_noise_sigma: float
    prediction_type: str

    def __len__(self) -> int:
        return len(self.timesteps)

    def scale_model_input(self, sample: torch.Tensor, index: int) -> torch.Tensor:
        return sample

    def step(self, model_output: torch.Tensor, index: int, sample: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class Euler(Scheduler):
    """Euler discrete (k-diffusion's sample_euler without churn), sigma space.

    The sample lives in sigma space (x = x0 + σ·ε); the model sees x / sqrt(σ² + 1).
    """

    def __init__(self, steps: int, prediction_type: str = "epsilon", *, train_steps: int = TRAIN_STEPS,
                 steps_offset: int = 1):
        self.prediction_type = _check_prediction(prediction_type)
        alphas_cumprod = scaled_linear_alphas_cumprod(train_steps)
        train_sigmas = [((1 - a) / a) ** 0.5 for a in alphas_cumprod]
        timesteps = leading_timesteps(steps, train_steps, steps_offset)
        self.sigmas = [train_sigmas[_clamp(t, train_steps)] for t in timesteps] + [0.0]
        self.timesteps = torch.tensor(timesteps, dtype=torch.float32)
        # leading spacing: diffusers scales the initial noise by sqrt(σ_max² + 1)
        self.init_noise_sigma = (max(self.sigmas) ** 2 + 1) ** 0.5

    @classmethod
    def karras(cls, steps: int, prediction_type: str = "v_prediction", *, sigma_min: float = 0.002,
               sigma_max: float = 700.0, rho: float = 7.0) -> "Euler":
        """SVD's configuration: Karras sigmas, continuous timesteps c_noise = 0.25·ln σ."""
        self = cls.__new__(cls)
        self.prediction_type = _check_prediction(prediction_type)
        lo, hi = sigma_min ** (1 / rho), sigma_max ** (1 / rho)
        ramp = [i / (steps - 1) for i in range(steps)] if steps > 1 else [0.0]
        self.sigmas = [(hi + r * (lo - hi)) ** rho for r in ramp] + [0.0]
        self.timesteps = torch.tensor([0.25 * math.log(s) for s in self.sigmas[:-1]], dtype=torch.float32)
        self.init_noise_sigma = (max(self.sigmas) ** 2 + 1) ** 0.5
        return self

    def scale_model_input(self, sample: torch.Tensor, index: int) -> torch.Tensor:
        return sample * (1.0 / (self.sigmas[index] ** 2 + 1) ** 0.5)

    def step(self, model_output: torch.Tensor, index: int, sample: torch.Tensor) -> torch.Tensor:
        sigma = self.sigmas[index]
        out_dtype = model_output.dtype
        sample, model_output = sample.float(), model_output.float()  # as diffusers: step in float32
        if self.prediction_type == "epsilon":
            pred_original = sample - model_output * sigma
        else:  # v_prediction
            c = (sigma ** 2 + 1)
            pred_original = model_output * (-sigma / c ** 0.5) + sample * (1.0 / c)
        derivative = (sample - pred_original) * (1.0 / sigma)
        dt = self.sigmas[index + 1] - sigma
        return (sample + derivative * dt).to(out_dtype)


class DDIM(Scheduler):
    """DDIM with η = 0 (deterministic), as diffusers' DDIMScheduler with SD's config
    (`set_alpha_to_one=False`: the last step lands on ᾱ_0, not on 1)."""

    def __init__(self, steps: int, prediction_type: str = "epsilon", *, train_steps: int = TRAIN_STEPS,
                 steps_offset: int = 1, set_alpha_to_one: bool = False):
        self.prediction_type = _check_prediction(prediction_type)
        self._alphas_cumprod = scaled_linear_alphas_cumprod(train_steps)
        self._final_alpha_cumprod = 1.0 if set_alpha_to_one else self._alphas_cumprod[0]
        self._ratio = train_steps // steps
        self._t = [_clamp(t, train_steps) for t in leading_timesteps(steps, train_steps, steps_offset)]
        self.timesteps = torch.tensor(self._t, dtype=torch.float32)
        self.init_noise_sigma = 1.0

    def step(self, model_output: torch.Tensor, index: int, sample: torch.Tensor) -> torch.Tensor:
        t = self._t[index]
        prev_t = t - self._ratio
        a_t = self._alphas_cumprod[t]
        a_prev = self._alphas_cumprod[prev_t] if prev_t >= 0 else self._final_alpha_cumprod
        sqrt_a, sqrt_1ma = a_t ** 0.5, (1 - a_t) ** 0.5
        if self.prediction_type == "epsilon":
            pred_original = (sample - model_output * sqrt_1ma) * (1.0 / sqrt_a)
            pred_epsilon = model_output
        else:  # v_prediction
            pred_original = sample * sqrt_a - model_output * sqrt_1ma
            pred_epsilon = model_output * sqrt_a + sample * sqrt_1ma
        return pred_original * (a_prev ** 0.5) + pred_epsilon * ((1 - a_prev) ** 0.5)


SCHEDULERS = ("euler", "ddim")


def make(name: str, steps: int, prediction_type: str = "epsilon", *, family: str = Family.SD) -> Scheduler:
    """The case's scheduler (`euler` | `ddim`); SVD's Euler uses its Karras / continuous configuration."""
    if steps < 1:
        raise ValueError("inference_steps must be >= 1, was %d" % steps)
    if name == "euler":
        return Euler.karras(steps, prediction_type) if family == Family.SVD else Euler(steps, prediction_type)
    if name == "ddim":
        return DDIM(steps, prediction_type)
    raise ValueError("unknown scheduler %r; known: %s" % (name, ", ".join(SCHEDULERS)))
