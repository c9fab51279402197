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


if __name__ == "__main__":
    unittest.main()
