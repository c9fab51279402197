"""Local weights: safetensors round trips, loading into modules, the diffusers folder layout."""

import json
import os
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from genbench_worker import weights  # noqa: E402
from genbench_worker.weights import WeightsError, load_file, load_into, save_file  # noqa: E402


def registry_or_none():
    try:
        from genbench_worker.models import registry
        return registry
    except ImportError:
        return None


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_in = nn.Conv2d(4, 8, 3, padding=1)
        self.norm = nn.GroupNorm(2, 8)


class VaeDecoder(nn.Module):
    """diffusers names: post_quant_conv.* and decoder.*"""

    def __init__(self):
        super().__init__()
        self.post_quant_conv = nn.Conv2d(4, 4, 1)
        self.decoder = Decoder()


class FakePipeline:
    family = "sd"

    def __init__(self):
        self.unet = nn.Sequential(nn.Conv2d(4, 8, 3), nn.Conv2d(8, 4, 3))
        self.text_encoders = [nn.Embedding(10, 8)]
        self.vae_decoder = VaeDecoder()


class SafetensorsTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "w.safetensors")

    def tearDown(self):
        self.dir.cleanup()

    def test_every_supported_dtype_round_trips(self):
        g = torch.Generator().manual_seed(0)
        tensors = {
            "f32": torch.randn(3, 5, generator=g),
            "f16": torch.randn(7, generator=g).half(),
            "bf16": torch.randn(2, 2, 2, generator=g).bfloat16(),
            "i64": torch.arange(-5, 5, dtype=torch.int64),
            "i32": torch.tensor([[1, -2], [3, 4]], dtype=torch.int32),
            "scalar": torch.tensor(2.5),
            "empty": torch.zeros(0, 3),
        }

        save_file(tensors, self.path, metadata={"format": "pt"})
        loaded = load_file(self.path)

        self.assertEqual(sorted(tensors), sorted(loaded))
        for name, t in tensors.items():
            with self.subTest(name=name):
                self.assertEqual(t.dtype, loaded[name].dtype)
                self.assertEqual(tuple(t.shape), tuple(loaded[name].shape))
                self.assertTrue(torch.equal(t, loaded[name]))

    def test_the_file_follows_the_safetensors_layout(self):
        save_file({"a": torch.ones(2, dtype=torch.float16), "b": torch.zeros(1, dtype=torch.float32)}, self.path)

        with open(self.path, "rb") as f:
            raw = f.read()
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8:8 + n])
        self.assertEqual(0, (8 + n) % 8)
        self.assertEqual({"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}, header["a"])
        self.assertEqual({"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}, header["b"])
        self.assertEqual(8 + n + 8, len(raw))
        self.assertEqual(b"\x00\x3c\x00\x3c", raw[8 + n:8 + n + 4])  # 1.0 in float16, little-endian

    def test_a_subset_of_keys_can_be_read(self):
        save_file({"a": torch.ones(2), "b": torch.zeros(2)}, self.path)

        self.assertEqual(["b"], list(load_file(self.path, keys=["b", "missing"])))

    def test_corrupt_files_are_reported(self):
        with open(self.path, "wb") as f:
            f.write(struct.pack("<Q", 10) + b"not json!!")

        with self.assertRaises(WeightsError):
            load_file(self.path)

    def test_offsets_that_do_not_match_the_shape_are_reported(self):
        header = json.dumps({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}).encode()
        with open(self.path, "wb") as f:
            f.write(struct.pack("<Q", len(header)) + header + b"\x00" * 8)

        with self.assertRaises(WeightsError):
            load_file(self.path)

    def test_sharded_checkpoints_are_read_through_their_index(self):
        save_file({"a": torch.ones(2)}, os.path.join(self.dir.name, "m-1.safetensors"))
        save_file({"b": torch.zeros(2)}, os.path.join(self.dir.name, "m-2.safetensors"))
        index = os.path.join(self.dir.name, "model.safetensors.index.json")
        with open(index, "w") as f:
            json.dump({"weight_map": {"a": "m-1.safetensors", "b": "m-2.safetensors"}}, f)

        self.assertEqual(["a", "b"], sorted(weights.read_any(index)))


class LoadIntoTest(unittest.TestCase):

    def test_tensors_are_converted_to_the_module_dtype(self):
        module = nn.Linear(3, 2)
        state = {k: torch.full_like(v, 0.5).half() for k, v in module.state_dict().items()}

        report = load_into(module, state)

        self.assertTrue(report.ok)
        self.assertEqual(2, report.loaded)
        self.assertEqual(torch.float32, module.weight.dtype)
        self.assertTrue(torch.all(module.weight == 0.5))

    def test_strict_loading_names_missing_and_unexpected_keys(self):
        module = nn.Linear(3, 2)

        with self.assertRaises(WeightsError) as ctx:
            load_into(module, {"weight": torch.zeros(2, 3), "extra.weight": torch.zeros(1)}, name="unet")

        message = str(ctx.exception)
        self.assertIn("unet", message)
        self.assertIn("missing in the file: bias", message)
        self.assertIn("not in the module: extra.weight", message)

    def test_loose_loading_copies_what_fits_and_reports_the_rest(self):
        module = nn.Linear(3, 2)

        report = load_into(module, {"weight": torch.ones(2, 3), "bias": torch.ones(5)}, strict=False)

        self.assertEqual(1, report.loaded)
        self.assertEqual(["bias"], report.missing)
        self.assertEqual(1, len(report.mismatched))
        self.assertTrue(torch.all(module.weight == 1))

    def test_a_prefix_present_only_in_the_file_is_stripped(self):
        module = nn.Linear(3, 2)
        state = {"text_model." + k: torch.ones_like(v) for k, v in module.state_dict().items()}

        report = load_into(module, state)

        self.assertTrue(report.ok)
        self.assertIn("text_model.", report.prefix_fit)


class DiffusersFolderTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.root = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def write(self, sub, name, tensors):
        os.makedirs(os.path.join(self.root, sub), exist_ok=True)
        save_file(tensors, os.path.join(self.root, sub, name))

    def test_a_diffusers_folder_loads_every_component(self):
        source, target = FakePipeline(), FakePipeline()
        self.write("unet", "diffusion_pytorch_model.safetensors", source.unet.state_dict())
        self.write("text_encoder", "model.safetensors", source.text_encoders[0].state_dict())
        vae = {k: v.half() for k, v in source.vae_decoder.state_dict().items()}
        vae.update({"encoder.conv_in.weight": torch.zeros(8, 3, 3, 3), "quant_conv.weight": torch.zeros(8, 8, 1, 1)})
        self.write("vae", "diffusion_pytorch_model.fp16.safetensors", vae)

        reports = weights.load_diffusion(target, self.root)

        self.assertEqual(["unet", "text_encoder", "vae_decoder"], [r.module for r in reports])
        self.assertTrue(all(r.ok for r in reports), [r.describe() for r in reports])
        self.assertTrue(torch.equal(source.unet[0].weight, target.unet[0].weight))
        self.assertTrue(torch.equal(source.vae_decoder.decoder.conv_in.weight.half().float(),
                                    target.vae_decoder.decoder.conv_in.weight))

    def test_decoder_keys_load_into_a_module_without_the_decoder_prefix(self):
        source = VaeDecoder()
        target = nn.Module()
        target.post_quant_conv = nn.Conv2d(4, 4, 1)
        target.conv_in = nn.Conv2d(4, 8, 3, padding=1)
        target.norm = nn.GroupNorm(2, 8)

        report = load_into(target, source.state_dict())

        self.assertTrue(report.ok, report.describe())
        self.assertTrue(torch.equal(source.decoder.conv_in.weight, target.conv_in.weight))

    def test_a_missing_component_is_named(self):
        self.write("unet", "diffusion_pytorch_model.safetensors", FakePipeline().unet.state_dict())

        with self.assertRaises(WeightsError) as ctx:
            weights.load_diffusion(FakePipeline(), self.root)

        self.assertIn("text_encoder", str(ctx.exception))

    def test_a_single_file_is_the_unet(self):
        source, target = FakePipeline(), FakePipeline()
        path = os.path.join(self.root, "unet.safetensors")
        save_file(source.unet.state_dict(), path)

        reports = weights.load_diffusion(target, path)

        self.assertEqual(["unet"], [r.module for r in reports])
        self.assertTrue(torch.equal(source.unet[1].bias, target.unet[1].bias))

    def test_a_tiny_catalog_model_round_trips_through_a_diffusers_folder(self):
        registry = registry_or_none()
        if registry is None:
            self.skipTest("genbench_worker.models.registry is not importable yet")
        model_id = "stabilityai/stable-diffusion-xl-base-1.0"
        source = registry.build(model_id, tiny=True, seed=1)
        target = registry.build(model_id, tiny=True, seed=2)
        for name, module in source.components.items():
            sub, stem = {"unet": ("unet", "diffusion_pytorch_model"), "vae_decoder": ("vae", "diffusion_pytorch_model")
                         }.get(name, (name, "model"))
            self.write(sub, stem + ".safetensors", module.state_dict())

        reports = weights.load_diffusion(target, self.root)

        self.assertTrue(all(r.ok for r in reports), [r.describe() for r in reports])
        for name, module in source.components.items():
            for (k, a), b in zip(module.state_dict().items(), target.components[name].state_dict().values()):
                self.assertTrue(torch.equal(a, b), "%s.%s" % (name, k))

    def test_a_tiny_opt_round_trips_through_a_model_folder(self):
        registry = registry_or_none()
        if registry is None:
            self.skipTest("genbench_worker.models.registry is not importable yet")
        source = registry.build("facebook/opt-125m", tiny=True, seed=1)
        target = registry.build("facebook/opt-125m", tiny=True, seed=2)
        state = {k: v for k, v in source.state_dict().items() if k != "lm_head.weight"}  # tied, as HF saves it
        save_file(state, os.path.join(self.root, "model.safetensors"))

        reports = weights.load_llm(target, self.root)

        self.assertTrue(reports[0].ok, reports[0].describe())
        self.assertTrue(torch.equal(source.lm_head.weight, target.lm_head.weight))


if __name__ == "__main__":
    unittest.main()
