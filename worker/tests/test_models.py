"""The model re-implementations: parameter counts of the public configurations (counted on the meta device),
forward shapes of every family's tiny configuration on CPU, conditioning, KV caches and attention kernels."""

import json
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

import torch  # noqa: E402

from genbench_worker.models import attention, registry  # noqa: E402
from genbench_worker.models.construction import build_meta, count_parameters  # noqa: E402

SD15 = "runwayml/stable-diffusion-v1-5"
SD21 = "stabilityai/stable-diffusion-2-1"
SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
SVD = "stabilityai/stable-video-diffusion-img2vid-xt"
OPT125 = "facebook/opt-125m"
OPT13 = "facebook/opt-1.3b"


class ParameterCountTest(unittest.TestCase):
    """Counts match diffusers / transformers for the public configurations (within 0.1 %; they are exact)."""

    def assertCount(self, actual, expected):
        self.assertLessEqual(abs(actual - expected), expected * 1e-3, f"{actual} vs {expected}")
        self.assertEqual(actual, expected)

    def test_unet_counts_match_diffusers(self):
        self.assertCount(registry.parameter_counts(SD21)["unet"], 865_910_724)
        self.assertCount(registry.parameter_counts(SDXL)["unet"], 2_567_463_684)
        self.assertCount(registry.parameter_counts(SVD)["unet"], 1_524_623_082)
        self.assertCount(registry.parameter_counts(SD15)["unet"], 859_520_964)

    def test_opt_counts_match_transformers_with_the_tied_head_counted_once(self):
        self.assertCount(registry.parameter_counts(OPT125)["model"], 125_239_296)
        self.assertCount(registry.parameter_counts(OPT13)["model"], 1_315_758_080)
        self.assertCount(registry.parameter_counts("facebook/opt-350m")["model"], 331_196_416)

    def test_text_encoder_counts_match_transformers(self):
        self.assertCount(registry.parameter_counts(SD15)["text_encoder"], 123_060_480)  # CLIP-L
        self.assertCount(registry.parameter_counts(SD21)["text_encoder"], 340_387_840)  # OpenCLIP-H, 23 layers
        sdxl = registry.parameter_counts(SDXL)
        self.assertCount(sdxl["text_encoder"], 123_060_480)
        self.assertCount(sdxl["text_encoder_2"], 694_659_840)  # bigG with text_projection

    def test_vae_decoder_is_the_decoding_half_of_the_83_7m_autoencoder(self):
        # AutoencoderKL (SD) has 83,653,863 parameters; encoder + quant_conv are 34,163,664 of them
        self.assertCount(registry.parameter_counts(SD21)["vae_decoder"], 83_653_863 - 34_163_664)

    def test_counting_covers_every_model_and_allocates_nothing(self):
        for model_id in registry.known_models():
            self.assertGreater(sum(registry.parameter_counts(model_id).values()), 0)
        unet = build_meta(lambda: __import__("genbench_worker.models.unet", fromlist=["x"]).UNet2DConditionModel(
            registry.spec(SDXL).unet))
        self.assertTrue(all(p.device.type == "meta" for p in unet.parameters()))

    def test_every_catalog_model_has_a_tiny_configuration_much_smaller_than_the_real_one(self):
        for model_id in registry.known_models():
            full = sum(registry.parameter_counts(model_id).values())
            tiny = sum(registry.parameter_counts(model_id, tiny=True).values())
            self.assertLess(tiny * 100, full, model_id)


class ParameterNameTest(unittest.TestCase):
    """State-dict names are diffusers' / transformers' so checkpoints load by name."""

    def names(self, model_id, component):
        s = registry.spec(model_id)
        return set(build_meta(registry.component_factories(s)[component]).state_dict().keys())

    def test_unet_names(self):
        names = self.names(SD21, "unet")
        for key in ("conv_in.weight", "time_embedding.linear_1.weight",
                    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight",
                    "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight",
                    "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight",
                    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0.bias",
                    "down_blocks.0.downsamplers.0.conv.weight", "up_blocks.0.upsamplers.0.conv.weight",
                    "mid_block.attentions.0.proj_in.weight", "up_blocks.3.resnets.2.conv_shortcut.weight",
                    "conv_norm_out.weight", "conv_out.bias"):
            self.assertIn(key, names)
        sdxl = self.names(SDXL, "unet")
        self.assertIn("add_embedding.linear_2.weight", sdxl)
        self.assertIn("down_blocks.2.attentions.1.transformer_blocks.9.norm3.weight", sdxl)

    def test_svd_names(self):
        names = self.names(SVD, "unet")
        for key in ("down_blocks.0.resnets.0.spatial_res_block.conv1.weight",
                    "down_blocks.0.resnets.0.temporal_res_block.conv1.weight", "down_blocks.0.resnets.0.time_mixer.mix_factor",
                    "down_blocks.0.attentions.0.temporal_transformer_blocks.0.ff_in.net.0.proj.weight",
                    "down_blocks.0.attentions.0.time_pos_embed.linear_1.weight", "add_embedding.linear_1.weight"):
            self.assertIn(key, names)

    def test_text_vae_and_opt_names(self):
        te = self.names(SDXL, "text_encoder_2")
        self.assertIn("text_model.encoder.layers.0.self_attn.q_proj.weight", te)
        self.assertIn("text_model.final_layer_norm.weight", te)
        self.assertIn("text_projection.weight", te)
        vae = self.names(SD21, "vae_decoder")
        self.assertIn("post_quant_conv.weight", vae)
        self.assertIn("decoder.mid_block.attentions.0.to_q.weight", vae)
        self.assertIn("decoder.up_blocks.3.resnets.2.conv2.weight", vae)
        opt = self.names(OPT125, "model")
        self.assertIn("model.decoder.layers.0.self_attn.q_proj.weight", opt)
        self.assertIn("model.decoder.embed_positions.weight", opt)
        self.assertIn("lm_head.weight", opt)


class UnknownModelTest(unittest.TestCase):
    def test_unknown_id_names_itself_and_the_known_ones(self):
        with self.assertRaises(registry.UnsupportedModel) as ctx:
            registry.spec("nobody/no-such-model")
        self.assertIsInstance(ctx.exception, ValueError)
        message = str(ctx.exception)
        self.assertIn("nobody/no-such-model", message)
        for model_id in (SD21, SDXL, SVD, OPT125, "facebook/opt-13b"):
            self.assertIn(model_id, message)
        with self.assertRaises(registry.UnsupportedModel):
            registry.build("nobody/no-such-model", tiny=True)
        with self.assertRaises(registry.UnsupportedModel):
            registry.parameter_counts("nobody/no-such-model")

    def test_specs_of_the_catalog(self):
        self.assertEqual(registry.spec(SVD).default_frames, 14)
        self.assertEqual(registry.spec(SVD).family, "svd")
        self.assertEqual(registry.spec(SDXL).family, "sdxl")
        self.assertEqual(registry.spec(SD21).family, "sd")
        self.assertEqual(registry.spec(OPT13).family, "opt")
        self.assertEqual(registry.spec(SDXL).scaling_factor, 0.13025)
        self.assertEqual(registry.spec(SD21).scaling_factor, 0.18215)
        self.assertEqual(len(registry.known_models()), 10)


class TokenizerTest(unittest.TestCase):
    def test_ids_are_deterministic_below_the_vocabulary_with_eos_as_the_largest(self):
        a = registry.tokenize("A photo of a cat", 3, 1000)
        self.assertEqual(tuple(a.shape), (3, 77))
        self.assertEqual(a.dtype, torch.long)
        self.assertTrue(torch.equal(a, registry.tokenize("a photo of a cat", 3, 1000)))
        self.assertLess(int(a.max()), 1000)
        self.assertEqual(int(a[0, 0]), 998)
        self.assertEqual(int(a.argmax(-1)[0]), 6)  # first EOS after BOS + 5 words
        full = registry.tokenize("", 1, 49408)
        self.assertEqual(full[0, :2].tolist(), [49406, 49407])
        long = registry.tokenize("word " * 200, 1, 49408)
        self.assertEqual(int(long[0, -1]), 49407)


def run_diffusion(model, batch=2, size=64, frames=None, cfg_rows=None):
    ids = registry.tokenize("a photo of a cat", batch, model.vocab_size or 1000)
    cond = model.encode_prompt(ids, height=size, width=size, frames=frames)
    latents = torch.randn(model.latent_shape(batch, size, size, frames=frames), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        eps = model.unet_forward(latents, torch.tensor(500.0), cond)
        images = model.decode(eps)
    return cond, latents, eps, images


class TinyForwardTest(unittest.TestCase):
    """Every family's tiny configuration runs a forward on CPU at 64x64 pixels (speed is a benchmark's business)."""

    def check_family(self, model_id, frames=None):
        model = registry.build(model_id, tiny=True)
        run_diffusion(model, frames=frames)  # warm-up
        cond, latents, eps, images = run_diffusion(model, frames=frames)
        self.assertEqual(eps.shape, latents.shape)
        self.assertTrue(torch.isfinite(eps).all())
        self.assertTrue(torch.isfinite(images).all())
        return model, cond, images

    def test_sd(self):
        for model_id in (SD15, SD21):
            model, cond, images = self.check_family(model_id)
            self.assertEqual(tuple(images.shape), (2, 3, 64, 64))
            self.assertIsNone(cond["added_cond_kwargs"])
            self.assertEqual(model.vae_scale_factor, 8)
            self.assertEqual(model.latent_channels, 4)
            self.assertEqual(model.latent_shape(1, 512, 768), (1, 4, 64, 96))

    def test_sdxl_concatenates_both_encoders_and_adds_text_time_conditioning(self):
        model, cond, images = self.check_family(SDXL)
        self.assertEqual(tuple(images.shape), (2, 3, 64, 64))
        hidden = cond["encoder_hidden_states"]
        widths = [m.config.hidden_size for m in model.text_encoders]
        self.assertEqual(hidden.shape[-1], sum(widths))
        added = cond["added_cond_kwargs"]
        self.assertEqual(tuple(added["text_embeds"].shape), (2, model.text_encoders[1].config.projection_dim))
        self.assertEqual(added["time_ids"][0].tolist(), [64, 64, 0, 0, 64, 64])
        latents = torch.randn(model.latent_shape(2, 64, 64))
        with torch.no_grad():
            a = model.unet_forward(latents, 10, cond)
            other = dict(cond, added_cond_kwargs=dict(added, time_ids=added["time_ids"] * 2))
            b = model.unet_forward(latents, 10, other)
            self.assertFalse(torch.allclose(a, b))
            with self.assertRaises(ValueError):
                model.unet(latents, 10, hidden)

    def test_svd_is_five_dimensional(self):
        model, cond, images = self.check_family(SVD, frames=3)
        self.assertEqual(model.text_encoders, [])
        self.assertEqual(tuple(images.shape), (2, 3, 3, 64, 64))
        self.assertEqual(model.latent_shape(1, 576, 1024), (1, 14, 4, 72, 128))
        self.assertEqual(cond["added_time_ids"][0].tolist()[:2], [5.0, 127.0])
        self.assertAlmostEqual(cond["added_time_ids"][0, 2].item(), 0.02, places=6)
        self.assertEqual(tuple(cond["encoder_hidden_states"].shape), (2, 1, model.spec.image_embed_dim))
        self.assertEqual(tuple(cond["image_latents"].shape), (2, 3, 4, 8, 8))
        unet_in = torch.randn(1, 3, 8, 8, 8)
        with torch.no_grad():
            out = model.unet(unet_in, torch.tensor([3.0]), cond["encoder_hidden_states"][:1],
                             cond["added_time_ids"][:1])
        self.assertEqual(tuple(out.shape), (1, 3, 4, 8, 8))
        chunked = model.decode(torch.ones(1, 3, 4, 8, 8), chunk_frames=1)
        whole = model.decode(torch.ones(1, 3, 4, 8, 8))
        self.assertTrue(torch.allclose(chunked, whole, atol=1e-5))

    def test_odd_latent_sizes_follow_the_skip_connections(self):
        model = registry.build(SD21, tiny=True)
        cond = model.encode_prompt(registry.tokenize("x", 1, model.vocab_size))
        with torch.no_grad():
            out = model.unet_forward(torch.randn(1, 4, 9, 7), 1, cond)
        self.assertEqual(tuple(out.shape), (1, 4, 9, 7))

    def test_building_is_deterministic_by_seed(self):
        a = registry.build(SD21, tiny=True, seed=3)
        b = registry.build(SD21, tiny=True, seed=3)
        c = registry.build(SD21, tiny=True, seed=4)
        wa, wb, wc = (m.unet.conv_in.weight for m in (a, b, c))
        self.assertTrue(torch.equal(wa, wb))
        self.assertFalse(torch.equal(wa, wc))
        self.assertFalse(a.unet.training)
        self.assertFalse(any(p.requires_grad for p in a.unet.parameters()))
        self.assertEqual(a.parameter_counts(), registry.parameter_counts(SD21, tiny=True))

    def test_dtype_and_attention_settings_reach_the_modules(self):
        model = registry.build(SD21, tiny=True, dtype=torch.bfloat16, attention="math")
        self.assertEqual(model.dtype, torch.bfloat16)
        kernels = [m for m in model.unet.modules() if isinstance(m, attention.AttentionKernel)]
        self.assertTrue(kernels)
        self.assertTrue(all(m.backend == "math" for m in kernels))
        with torch.no_grad():
            cond = model.encode_prompt(registry.tokenize("x", 1, model.vocab_size))
            out = model.unet_forward(torch.randn(1, 4, 8, 8, dtype=torch.bfloat16), 1, cond)
        self.assertEqual(out.dtype, torch.bfloat16)


class OPTTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)

    def test_shapes_and_config(self):
        model = registry.build(OPT125, tiny=True)
        self.assertEqual(model.config.vocab_size, 1000)
        self.assertGreater(model.config.max_position_embeddings, 64)
        ids = torch.randint(0, 1000, (2, 5))
        with torch.no_grad():
            logits, past = model(ids)
        self.assertEqual(tuple(logits.shape), (2, 5, 1000))
        self.assertEqual(len(past), model.config.num_hidden_layers)
        # batch, heads (8), tokens, head dim (32 / 8)
        self.assertEqual(tuple(past[0][0].shape), (2, 8, 5, 4))
        self.assertIs(model.lm_head.weight, model.model.decoder.embed_tokens.weight)

    def check_cache(self, model_id):
        model = registry.build(model_id, tiny=True, attention="math")
        ids = torch.randint(0, model.config.vocab_size, (2, 9))
        with torch.no_grad():
            full, _ = model(ids, use_cache=False)
            logits, past = model(ids[:, :4])
            steps = [logits]
            for t in range(4, 9):
                logits, past = model(ids[:, t:t + 1], past)
                steps.append(logits)
            incremental = torch.cat(steps, dim=1)
            static = model.new_static_cache(2, 16)
            logits, cache = model(ids[:, :6], static)
            self.assertIs(cache, static)
            s_steps = [logits]
            for t in range(6, 9):
                logits, cache = model(ids[:, t:t + 1], cache)
                s_steps.append(logits)
            self.assertEqual(static.length, 9)
            chunk_first, past2 = model(ids[:, :3])
            chunk_rest, _ = model(ids[:, 3:], past2)  # several new tokens on top of a cache
        torch.testing.assert_close(incremental, full, atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(torch.cat(s_steps, dim=1), full, atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(torch.cat([chunk_first, chunk_rest], dim=1), full, atol=1e-4, rtol=1e-4)

    def test_kv_cache_decoding_equals_the_full_forward(self):
        self.check_cache(OPT125)

    def test_kv_cache_decoding_equals_the_full_forward_for_post_layernorm_opt_350m(self):
        self.check_cache("facebook/opt-350m")

    def test_static_cache_overflow_is_refused(self):
        model = registry.build(OPT125, tiny=True)
        cache = model.new_static_cache(1, 4)
        with self.assertRaises(ValueError):
            model(torch.zeros(1, 5, dtype=torch.long), cache)


class AttentionTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.q = torch.randn(2, 3, 5, 8)
        self.k = torch.randn(2, 3, 7, 8)
        self.v = torch.randn(2, 3, 7, 8)

    def test_math_is_softmax_of_scaled_scores(self):
        expected = torch.softmax(self.q @ self.k.transpose(-1, -2) / 8 ** 0.5, dim=-1) @ self.v
        torch.testing.assert_close(attention.attend(self.q, self.k, self.v, "math"), expected)

    def test_causal_queries_are_the_last_positions(self):
        q = torch.randn(2, 3, 7, 8)
        full = attention.attend(q, self.k, self.v, "math", causal=True)
        tail = attention.attend(q[:, :, 4:], self.k, self.v, "math", causal=True)
        torch.testing.assert_close(full[:, :, 4:], tail)
        first = attention.attend(q[:, :, :1], self.k[:, :, :1], self.v[:, :, :1], "math")
        torch.testing.assert_close(full[:, :, :1], first)

    @unittest.skipUnless(attention.HAS_SDPA, "this torch has no scaled_dot_product_attention")
    def test_sdpa_equals_math(self):
        for causal in (False, True):
            q = self.q if not causal else torch.randn(2, 3, 7, 8)
            torch.testing.assert_close(attention.attend(q, self.k, self.v, "sdpa", causal=causal),
                                       attention.attend(q, self.k, self.v, "math", causal=causal),
                                       atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(attention.attend(self.q, self.k, self.v, "sdpa", causal=True),
                                   attention.attend(self.q, self.k, self.v, "math", causal=True), atol=1e-5, rtol=1e-5)
        model_math = registry.build(SD21, tiny=True, attention="math")
        model_sdpa = registry.build(SD21, tiny=True, attention="sdpa")
        a = run_diffusion(model_math)[2]
        b = run_diffusion(model_sdpa)[2]
        torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)

    def test_sdpa_falls_back_to_math_without_sdpa(self):
        self.assertEqual(attention.resolve("sdpa"), "sdpa" if attention.HAS_SDPA else "math")
        self.assertEqual(attention.resolve("math"), "math")
        with self.assertRaises(ValueError):
            attention.resolve("flash")

    def test_default_backend_applies_to_modules_without_their_own(self):
        before = attention.default_backend()
        try:
            attention.set_default_backend("math")
            self.assertEqual(attention.resolve(None), "math")
        finally:
            attention.set_default_backend(before)


class ResnetMemoryTest(unittest.TestCase):
    """Without autograd the ResNet block's SiLUs overwrite the norms' fresh outputs (one full-size tensor fewer alive
    at the VAE decoder's peak), computing exactly what the out-of-place block computes."""

    def setUp(self):
        from genbench_worker.models.blocks import ResnetBlock2D  # noqa: PLC0415

        torch.manual_seed(0)
        self.block = ResnetBlock2D(8, 16, 12, groups=4).eval()
        self.x = torch.randn(2, 8, 6, 6)
        self.temb = torch.randn(2, 12)

    def reference(self):
        b, F = self.block, torch.nn.functional
        h = b.conv1(F.silu(b.norm1(self.x)))
        h = h + b.time_emb_proj(F.silu(self.temb))[:, :, None, None]
        h = b.conv2(F.silu(b.norm2(h)))
        return b.conv_shortcut(self.x) + h

    def silu_calls(self, run):
        from torch.utils._python_dispatch import TorchDispatchMode  # noqa: PLC0415

        calls = []

        class Spy(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                if "silu" in str(func):
                    calls.append(str(func))
                return func(*args, **(kwargs or {}))

        with Spy():
            out = run()
        return out, calls

    def test_without_autograd_the_silus_after_the_norms_are_in_place_and_the_output_is_unchanged(self):
        with torch.no_grad():
            expected = self.reference()
            temb = self.temb.clone()
            out, calls = self.silu_calls(lambda: self.block(self.x, self.temb))
        self.assertTrue(torch.equal(out, expected))
        self.assertTrue(torch.equal(self.temb, temb), "the shared time embedding must not be overwritten")
        self.assertEqual(sum("silu_" in c for c in calls), 2, calls)
        self.assertEqual(len(calls), 3, calls)  # and temb's SiLU out of place

    def test_with_autograd_nothing_is_in_place_and_backward_works(self):
        x = self.x.clone().requires_grad_(True)
        out, calls = self.silu_calls(lambda: self.block(x, self.temb))
        self.assertFalse(any("silu_" in c for c in calls), calls)
        out.sum().backward()
        self.assertIsNotNone(x.grad)


class UnetLayoutTest(unittest.TestCase):
    def test_a_contiguous_unet_stays_contiguous_after_its_transformers(self):
        """Each Transformer2DModel's sum takes the residual's layout: were it channels_last, every later CUDA
        GroupNorm would copy its input and the residual sums would mix layouts (SD 2.1 at UNet batch 8)."""
        unet = registry.build(SD21, tiny=True).unet
        layouts = []
        hooks = [m.register_forward_hook(lambda m, a, o: layouts.append(o.is_contiguous()))
                 for m in unet.modules() if type(m).__name__ in ("Transformer2DModel", "ResnetBlock2D")]
        with torch.no_grad():
            out = unet(torch.randn(2, 4, 16, 16), 500, torch.randn(2, 77, unet.config.cross_attention_dim))
        for h in hooks:
            h.remove()
        self.assertGreater(len(layouts), 4)
        self.assertTrue(all(layouts), layouts)
        self.assertTrue(out.is_contiguous(), out.stride())

    def test_a_channels_last_transformer_stays_channels_last_with_the_same_values(self):
        unet = registry.build(SD21, tiny=True).unet
        block = unet.down_blocks[0].attentions[0]
        x = torch.randn(2, block.norm.num_channels, 8, 8)
        ctx = torch.randn(2, 77, unet.config.cross_attention_dim)
        with torch.no_grad():
            out = block(x, ctx)
            out_cl = block(x.contiguous(memory_format=torch.channels_last), ctx)
            b, c, h, w = x.shape
            t = block.proj_in(block.norm(x).permute(0, 2, 3, 1).reshape(b, h * w, c))
            for layer in block.transformer_blocks:
                t = layer(t, ctx)
            expected = block.proj_out(t).reshape(b, h, w, c).permute(0, 3, 1, 2) + x  # the former order
        self.assertTrue(torch.equal(out, expected))
        self.assertTrue(out_cl.is_contiguous(memory_format=torch.channels_last), out_cl.stride())
        torch.testing.assert_close(out_cl, out)


class VideoUnetLayoutTest(unittest.TestCase):
    def test_a_video_transformer_returns_its_input_layout_with_the_former_values(self):
        """TransformerSpatioTemporalModel adds the residual first, as Transformer2DModel does: a contiguous input
        gives a contiguous output (x + residual took the tokens' channels_last view), with the same values."""
        unet = registry.build(SVD, tiny=True).unet
        blocks = [m for m in unet.modules() if type(m).__name__ == "TransformerSpatioTemporalModel"]
        self.assertTrue(blocks)
        block, frames = blocks[0], 2
        x = torch.randn(2 * frames, block.norm.num_channels, 8, 8)
        ctx = torch.randn(2 * frames, 3, block.transformer_blocks[0].attn2.to_k.in_features)
        with torch.no_grad():
            out = block(x, ctx, frames)
            bf, c, h, w = x.shape
            t = block.proj_in(block.norm(x).permute(0, 2, 3, 1).reshape(bf, h * w, c))
            first = ctx.reshape(2, frames, -1, ctx.shape[-1])[:, 0]
            time_ctx = first[:, None].expand(2, h * w, first.shape[-2], first.shape[-1]).reshape(
                2 * h * w, first.shape[-2], first.shape[-1])
            emb = block.time_pos_embed(block.time_proj(torch.arange(frames).repeat(2)).to(t.dtype))[:, None, :]
            for spatial, temporal in zip(block.transformer_blocks, block.temporal_transformer_blocks):
                t = spatial(t, ctx)
                t = block.time_mixer(t, temporal(t + emb, frames, time_ctx))
            expected = block.proj_out(t).reshape(bf, h, w, c).permute(0, 3, 1, 2) + x  # the former order
        self.assertTrue(torch.equal(out, expected))
        self.assertTrue(out.is_contiguous(), out.stride())
        self.assertFalse(expected.is_contiguous())  # the former order's layout, which the change fixes


class EmbeddedOnnxTest(unittest.TestCase):
    """The committed ONNX artefacts describe the registry's embedded configuration."""

    ONNX = os.path.join(REPO, "src", "main", "resources", "io", "genbench", "onnx")

    def test_models_json_matches_the_embedded_spec(self):
        path = os.path.join(self.ONNX, "models.json")
        if not os.path.exists(path):
            self.skipTest("no exported ONNX models at " + self.ONNX)
        with open(path) as f:
            manifest = json.load(f)
        s = registry.embedded_spec()
        factories = registry.component_factories(s)
        for name in ("text_encoder", "unet", "vae_decoder"):
            entry = manifest["files"][name]
            self.assertEqual(entry["parameters"], count_parameters(build_meta(factories[name])), name)
            self.assertTrue(os.path.exists(os.path.join(self.ONNX, entry["file"])), name)
        self.assertEqual(manifest["vocab_size"], s.text_encoders[0][1].vocab_size)
        self.assertEqual(manifest["cross_attention_dim"], s.unet.cross_attention_dim)
        self.assertEqual(manifest["weights"], "random")
        total = sum(os.path.getsize(os.path.join(self.ONNX, f["file"])) for f in manifest["files"].values())
        self.assertLess(total, 10 * 1024 * 1024)

    def test_embedded_model_runs_at_two_sizes(self):
        model = registry.build_spec(registry.embedded_spec(), attention="math")
        for size in (64, 128):
            _, latents, eps, images = run_diffusion(model, batch=1, size=size)
            self.assertEqual(eps.shape, latents.shape)
            self.assertEqual(tuple(images.shape), (1, 3, size, size))


if __name__ == "__main__":
    unittest.main()
