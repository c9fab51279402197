"""Random weights by `construction.materialize`: the same values as the previous code, which drew every parameter
into a fresh float32 tensor and copied it (issue 18: the draws now go in place or through one scratch buffer)."""

import math
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from genbench_worker.models import construction, registry  # noqa: E402

MODELS = ("stabilityai/stable-diffusion-2-1", "stabilityai/stable-diffusion-xl-base-1.0",
          "stabilityai/stable-video-diffusion-img2vid-xt", "facebook/opt-350m")


@torch.no_grad()
def previous_materialize(module, device, dtype, seed):
    """The draws as materialize made them before the change (kept here verbatim as the reference)."""
    device = torch.device(device)
    module = module.to(dtype=dtype)
    module = module.to_empty(device=device)
    if hasattr(module, "tie_weights"):
        module.tie_weights()
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)

    def uniform(p, bound):
        tmp = torch.empty(p.shape, dtype=torch.float32, device=p.device)
        tmp.uniform_(-bound, bound, generator=gen)
        p.copy_(tmp)

    def normal(p, std):
        tmp = torch.empty(p.shape, dtype=torch.float32, device=p.device)
        tmp.normal_(0.0, std, generator=gen)
        p.copy_(tmp)

    done = set()
    for sub in module.modules():
        own = {n: p for n, p in sub.named_parameters(recurse=False) if id(p) not in done}
        if not own:
            continue
        if isinstance(sub, (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            w = sub.weight
            fan_in = w.shape[1] * (w[0, 0].numel() if w.dim() > 2 else 1)
            bound = 1.0 / math.sqrt(fan_in)
            uniform(w, bound)
            if sub.bias is not None:
                uniform(sub.bias, bound)
        elif isinstance(sub, (nn.GroupNorm, nn.LayerNorm)):
            if sub.weight is not None:
                sub.weight.fill_(1.0)
                sub.bias.fill_(0.0)
        elif isinstance(sub, nn.Embedding):
            normal(sub.weight, 0.02)
        elif hasattr(sub, "init_parameters"):
            sub.init_parameters(gen)
        else:
            for p in own.values():
                normal(p, 0.02)
        done.update(id(p) for p in own.values())
    return module


def state(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


class MaterializeTest(unittest.TestCase):

    def assert_same_weights_as_before(self, model_id, dtype):
        for i, make in enumerate(registry.component_factories(registry.spec(model_id, tiny=True)).values()):
            seed = 42 + 1000 * i
            new = state(construction.materialize(construction.build_meta(make), "cpu", dtype, seed))
            old = state(previous_materialize(construction.build_meta(make), "cpu", dtype, seed))
            self.assertEqual(sorted(old), sorted(new))
            differ = [k for k in old if not torch.equal(old[k], new[k])]
            self.assertEqual([], differ, "%s component %d in %s" % (model_id, i, dtype))

    def test_float32_weights_drawn_in_place_equal_the_previous_draws(self):
        for model_id in MODELS:
            self.assert_same_weights_as_before(model_id, torch.float32)

    def test_bfloat16_weights_drawn_through_the_scratch_buffer_equal_the_previous_draws(self):
        for model_id in MODELS:
            self.assert_same_weights_as_before(model_id, torch.bfloat16)

    def test_the_comparison_can_fail_another_seed_gives_other_weights(self):
        make = registry.component_factories(registry.spec(MODELS[0], tiny=True))["unet"]
        a = state(construction.materialize(construction.build_meta(make), "cpu", torch.float32, 1))
        b = state(previous_materialize(construction.build_meta(make), "cpu", torch.float32, 2))
        self.assertFalse(torch.equal(a["conv_in.weight"], b["conv_in.weight"]))

    def test_a_tied_opt_head_stays_tied_to_its_embedding(self):
        model = registry.build("facebook/opt-125m", tiny=True, dtype=torch.bfloat16)
        self.assertEqual(model.lm_head.weight.data_ptr(), model.model.decoder.embed_tokens.weight.data_ptr())

    def test_a_parameter_larger_than_the_scratch_buffer_is_drawn_through_its_own_temporary(self):
        gen = torch.Generator().manual_seed(0)
        draws = construction._Draws(gen, torch.device("cpu"), 4)
        p = torch.empty(3, 3, dtype=torch.bfloat16)
        draws.uniform(p, 1.0)
        expected = torch.empty(3, 3).uniform_(-1.0, 1.0, generator=torch.Generator().manual_seed(0))
        self.assertTrue(torch.equal(expected.to(torch.bfloat16), p))


def build_state(model):
    """Every parameter and buffer of a registry build, by component."""
    components = model.components if hasattr(model, "components") else {"model": model}
    return {name + "." + k: v.clone() for name, m in components.items() for k, v in m.state_dict().items()}


class DirectBuildTest(unittest.TestCase):
    """build_direct (construction on the device, in the dtype) gives exactly materialize's weights (the meta path)."""

    DTYPES = (torch.float32, torch.float16, torch.bfloat16)

    def assert_direct_equals_meta(self, model_id, dtype):
        meta = registry.build(model_id, tiny=True, dtype=dtype, seed=7, mode="meta")
        direct = registry.build(model_id, tiny=True, dtype=dtype, seed=7, mode="direct")
        a, b = build_state(meta), build_state(direct)
        self.assertEqual(sorted(a), sorted(b))
        self.assertEqual({k: (v.dtype, v.shape) for k, v in a.items()}, {k: (v.dtype, v.shape) for k, v in b.items()})
        differ = [k for k in a if not torch.equal(a[k], b[k])]
        self.assertEqual([], differ, "%s in %s" % (model_id, dtype))
        params = [p for m in (direct.components.values() if hasattr(direct, "components") else [direct])
                  for p in m.parameters()]
        self.assertTrue(params and all(p.dtype == dtype and p.device.type == "cpu" and not p.requires_grad
                                       for p in params))
        return direct

    def test_every_parameter_and_buffer_equals_the_meta_build_in_every_dtype(self):
        for model_id in MODELS + ("facebook/opt-125m",):
            for dtype in self.DTYPES:
                self.assert_direct_equals_meta(model_id, dtype)

    def test_the_tied_opt_head_stays_tied(self):
        for dtype in self.DTYPES:
            model = self.assert_direct_equals_meta("facebook/opt-125m", dtype)
            self.assertIs(model.lm_head.weight, model.model.decoder.embed_tokens.weight)

    def test_the_comparison_can_fail_another_seed_differs(self):
        a = build_state(registry.build(MODELS[0], tiny=True, seed=7, mode="meta"))
        b = build_state(registry.build(MODELS[0], tiny=True, seed=8, mode="direct"))
        self.assertFalse(torch.equal(a["unet.conv_in.weight"], b["unet.conv_in.weight"]))

    def test_the_construction_neither_draws_from_the_global_generator_nor_leaves_its_settings_changed(self):
        torch.manual_seed(5)
        expected = torch.rand(4)
        torch.manual_seed(5)
        registry.build("facebook/opt-125m", tiny=True, dtype=torch.float16, mode="direct")
        self.assertTrue(torch.equal(expected, torch.rand(4)))  # nn.init's own draws were skipped
        self.assertEqual(torch.float32, torch.get_default_dtype())
        self.assertEqual("kaiming_uniform_", nn.init.kaiming_uniform_.__name__)  # the initialisers are back
        self.assertEqual(torch.device("cpu"), torch.empty(1).device)

    def test_build_mode_direct_on_cuda_meta_elsewhere_unless_genbench_build_says(self):
        self.assertEqual("direct", construction.build_mode("cuda:0", {}))
        self.assertEqual("meta", construction.build_mode("cpu", {}))
        self.assertEqual("direct", construction.build_mode("cpu", {"GENBENCH_BUILD": "direct"}))
        self.assertEqual("meta", construction.build_mode("cuda", {"GENBENCH_BUILD": " Meta "}))
        with self.assertRaises(ValueError) as e:
            construction.build_mode("cuda", {"GENBENCH_BUILD": "fast"})
        self.assertIn("GENBENCH_BUILD=fast", str(e.exception))
        self.assertIn("direct or meta", str(e.exception))


if __name__ == "__main__":
    unittest.main()
