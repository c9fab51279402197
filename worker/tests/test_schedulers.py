"""Schedulers: diffusers-compatible spacing, and a perfect denoiser recovers the clean sample."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import torch  # noqa: E402

from genbench_worker import schedulers  # noqa: E402
from genbench_worker.schedulers import DDIM, Euler  # noqa: E402


def clean_and_noise(seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(2, 4, 8, 8, generator=g, dtype=torch.float64), torch.randn(2, 4, 8, 8, generator=g,
                                                                                   dtype=torch.float64)


def euler_oracle(s, x0, prediction_type):
    """The true ε (or v) from the scaled model input, as a perfectly trained UNet would predict it."""
    def predict(model_in, i):
        sigma = s.sigmas[i]
        x = model_in * (sigma ** 2 + 1) ** 0.5  # undo scale_model_input: back to sigma space
        eps = (x - x0) / sigma
        if prediction_type == "epsilon":
            return eps
        alpha, s_t = 1 / (sigma ** 2 + 1) ** 0.5, sigma / (sigma ** 2 + 1) ** 0.5
        return alpha * eps - s_t * x0
    return predict


def ddim_oracle(s, x0, prediction_type):
    def predict(model_in, i):
        a = s._alphas_cumprod[s._t[i]]
        eps = (model_in - a ** 0.5 * x0) / (1 - a) ** 0.5
        return eps if prediction_type == "epsilon" else a ** 0.5 * eps - (1 - a) ** 0.5 * x0
    return predict


def denoise(s, predict, noise):
    x = noise * s.init_noise_sigma
    for i in range(len(s)):
        x = s.step(predict(s.scale_model_input(x, i), i), i, x)
    return x


class SpacingTest(unittest.TestCase):

    def test_one_timestep_per_step_in_decreasing_order(self):
        for name in ("euler", "ddim"):
            for steps in (1, 3, 20, 50):
                with self.subTest(scheduler=name, steps=steps):
                    s = schedulers.make(name, steps)

                    t = s.timesteps.tolist()
                    self.assertEqual(steps, len(s))
                    self.assertEqual(steps, len(t))
                    self.assertTrue(all(a > b for a, b in zip(t, t[1:])))

    def test_leading_spacing_matches_the_stable_diffusion_configs(self):
        self.assertEqual([951.0, 901.0, 851.0], schedulers.make("euler", 20).timesteps[:3].tolist())
        self.assertEqual(1.0, schedulers.make("ddim", 20).timesteps[-1].item())

    def test_euler_sigmas_decrease_to_zero(self):
        s = Euler(20)

        self.assertEqual(21, len(s.sigmas))
        self.assertTrue(all(a > b for a, b in zip(s.sigmas, s.sigmas[1:])))
        self.assertEqual(0.0, s.sigmas[-1])
        self.assertAlmostEqual(s.init_noise_sigma, (s.sigmas[0] ** 2 + 1) ** 0.5)
        alpha_bar = schedulers.scaled_linear_alphas_cumprod()
        self.assertAlmostEqual(((1 - alpha_bar[951]) / alpha_bar[951]) ** 0.5, s.sigmas[0], places=9)
        self.assertAlmostEqual(14.6146, Euler(1000).sigmas[0], places=3)  # sigma_max of the SD schedule, t = 999

    def test_euler_scales_the_model_input_by_one_over_sqrt_sigma_squared_plus_one(self):
        s = Euler(10)
        x = torch.ones(1)

        self.assertAlmostEqual(1 / (s.sigmas[3] ** 2 + 1) ** 0.5, s.scale_model_input(x, 3).item(), places=6)

    def test_svd_uses_karras_sigmas_and_continuous_timesteps(self):
        s = schedulers.make("euler", 25, "v_prediction", family="svd")

        self.assertAlmostEqual(700.0, s.sigmas[0], places=3)
        self.assertAlmostEqual(0.002, s.sigmas[-2], places=6)
        self.assertAlmostEqual(0.25 * torch.log(torch.tensor(700.0)).item(), s.timesteps[0].item(), places=4)

    def test_unknown_names_are_rejected(self):
        with self.assertRaises(ValueError):
            schedulers.make("pndm", 10)
        with self.assertRaises(ValueError):
            schedulers.make("euler", 10, "sample")

    def test_euler_keeps_the_model_dtype(self):
        s = Euler(4)
        x = torch.zeros(1, 4, 2, 2, dtype=torch.bfloat16)

        self.assertEqual(torch.bfloat16, s.step(x, 0, x).dtype)


class DenoisingTest(unittest.TestCase):

    def test_euler_with_a_perfect_epsilon_model_recovers_the_clean_sample(self):
        x0, noise = clean_and_noise()
        for steps in (1, 5, 30):
            s = Euler(steps, "epsilon")

            x = denoise(s, euler_oracle(s, x0, "epsilon"), noise)

            self.assertTrue(torch.allclose(x, x0, atol=1e-6), (steps, (x - x0).abs().max().item()))

    def test_euler_with_a_perfect_v_model_recovers_the_clean_sample(self):
        x0, noise = clean_and_noise(1)
        s = Euler(20, "v_prediction")

        x = denoise(s, euler_oracle(s, x0, "v_prediction"), noise)

        self.assertTrue(torch.allclose(x, x0, atol=1e-6), (x - x0).abs().max().item())

    def test_svd_euler_with_a_perfect_v_model_recovers_the_clean_sample(self):
        x0, noise = clean_and_noise(2)
        s = Euler.karras(25)

        x = denoise(s, euler_oracle(s, x0, "v_prediction"), noise)

        self.assertTrue(torch.allclose(x, x0, atol=1e-5), (x - x0).abs().max().item())

    def test_ddim_with_a_perfect_model_recovers_the_clean_sample_when_the_last_alpha_is_one(self):
        x0, noise = clean_and_noise(3)
        for prediction in ("epsilon", "v_prediction"):
            s = DDIM(10, prediction, set_alpha_to_one=True)

            x = denoise(s, ddim_oracle(s, x0, prediction), noise)

            self.assertTrue(torch.allclose(x, x0, atol=1e-6), (prediction, (x - x0).abs().max().item()))

    def test_ddim_with_the_stable_diffusion_config_ends_one_training_step_from_the_clean_sample(self):
        x0, noise = clean_and_noise(4)
        s = DDIM(10, "epsilon")  # set_alpha_to_one=False: the last step lands on alpha_bar_0 = 1 - 0.00085

        x = denoise(s, ddim_oracle(s, x0, "epsilon"), noise)

        # the start is pure noise, not x0 diffused to t = 901: the implied epsilon then stays constant
        a_first = s._alphas_cumprod[s._t[0]]
        eps = (noise - a_first ** 0.5 * x0) / (1 - a_first) ** 0.5
        a0 = schedulers.scaled_linear_alphas_cumprod()[0]
        self.assertTrue(torch.allclose(x, a0 ** 0.5 * x0 + (1 - a0) ** 0.5 * eps, atol=1e-6))
        self.assertLess((x - x0).abs().max().item(), 0.2)


if __name__ == "__main__":
    unittest.main()
