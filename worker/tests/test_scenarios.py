"""Scenarios on CPU with small fake models (and the tiny catalog models when the registry imports):
event sequences, iteration counts, CFG batching, failures, timers and telemetry."""

import dataclasses
import io
import math
import os
import struct
import sys
import tempfile
import threading
import time
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from genbench_worker.measure import telemetry, timing  # noqa: E402
from genbench_worker.backends import ModelCache  # noqa: E402
from genbench_worker.case import Case, CaseError  # noqa: E402
from genbench_worker.protocol import EventStream, parse_event  # noqa: E402
from genbench_worker.recording import RecordingStream  # noqa: E402
from genbench_worker.scenarios import IterationResult, measure, run_case  # noqa: E402
from genbench_worker.scenarios.diffusion import png_bytes, prediction_type  # noqa: E402

CPU = torch.device("cpu")


def counted():
    """The `flops` event where this torch can count (>= 2.1), else nothing."""
    from genbench_worker.measure import flops

    return ["flops"] if flops.counter_class() is not None else []


# ------------------------------------------------------------------------------------------ fakes

class FakeDiffusionModel:
    """The DiffusionModel surface with a few tiny layers; records the batch of every UNet call."""

    vae_scale_factor = 8
    latent_channels = 4
    vocab_size = 100
    max_length = 77

    def __init__(self, family="sd", dtype=torch.float32):
        torch.manual_seed(0)
        self.family = family
        self.text_encoders = [nn.Embedding(self.vocab_size, 8).to(dtype)]
        conv = nn.Conv3d if family == "svd" else nn.Conv2d
        self.unet = conv(4 if family != "svd" else 8, 4, 1).to(dtype)
        self.vae_decoder = nn.Conv2d(4, 3, 1).to(dtype)
        self.dtype = dtype
        self.unet_batches = []

    def encode_prompt(self, input_ids, height=None, width=None, frames=None):
        hidden = self.text_encoders[0](input_ids)
        cond = {"encoder_hidden_states": hidden, "added_cond_kwargs": None}
        if self.family == "svd":
            n, h, w = input_ids.shape[0], height // 8, width // 8
            cond["image_latents"] = torch.zeros(n, frames, 4, h, w, dtype=self.dtype)
        return cond

    def unet_forward(self, sample, timestep, cond):
        self.unet_batches.append(sample.shape[0])
        if self.family == "svd":
            x = torch.cat([sample, cond["image_latents"]], dim=2)  # [B,F,8,h,w] → conv3d over (F,h,w)
            return self.unet(x.transpose(1, 2)).transpose(1, 2) * 0.1
        return self.unet(sample) * 0.1 + cond["encoder_hidden_states"].mean() * 0

    def decode(self, latents):
        if latents.dim() == 5:
            b, f = latents.shape[:2]
            out = self.vae_decoder(latents.reshape(b * f, *latents.shape[2:]))
            out = nn.functional.interpolate(out, scale_factor=8)
            return torch.tanh(out).reshape(b, f, *out.shape[1:])
        return torch.tanh(nn.functional.interpolate(self.vae_decoder(latents), scale_factor=8))

    def latent_shape(self, batch, height, width, frames=None):
        if self.family == "svd":
            return (batch, frames or 14, 4, height // 8, width // 8)
        return (batch, 4, height // 8, width // 8)

    def parameter_counts(self):
        return {"text_encoder": 800, "unet": 20, "vae_decoder": 15}


class FakeLM(nn.Module):
    """forward(input_ids, past_key_values, use_cache) → (logits, past); past is the token count."""

    def __init__(self, vocab=50):
        super().__init__()
        self.config = type("Config", (), {"vocab_size": vocab, "max_position_embeddings": 64})()
        self.embed = nn.Embedding(vocab, 8)
        self.head = nn.Linear(8, vocab)
        self.calls = []

    def forward(self, input_ids, past_key_values=None, use_cache=True):
        self.calls.append(tuple(input_ids.shape))
        seen = (past_key_values or 0) + input_ids.shape[1]
        return self.head(self.embed(input_ids)), seen


class FakeBuilder:
    def __init__(self, make=None, family="sd", error=None):
        self.make = make or (lambda case, dtype: FakeDiffusionModel(family, dtype))
        self.family = family
        self.error = error
        self.builds = 0

    def __call__(self, case, device, dtype):
        self.builds += 1
        if self.error is not None:
            raise self.error
        return self.make(case, dtype), self.family


def make_case(**overrides):
    values = dict(id="fake-b1-s4", model="fake/sd", batch_size=1, warmup_iterations=1, min_iterations=2,
                  max_iterations=2, min_duration_s=0.0, seed=1)
    if "prompt_tokens" not in overrides:  # a diffusion case: its workload's fields
        values.update(steps=4, width=16, height=16, guidance_scale=7.5)
    values.update(overrides)
    values.setdefault("max_warmup_iterations", values["warmup_iterations"])  # exactly the minimum: sequences are known
    return Case.build(**values)


def run(case, builder=None, cache=None):
    events = RecordingStream()
    cache = cache or ModelCache(builder or FakeBuilder())
    ok = run_case(case, cache, events, CPU, telemetry_for=lambda *a: telemetry.NoTelemetry())
    return ok, events.dicts()


def types(events):
    return [e["type"] for e in events]


# ------------------------------------------------------------------------------------------ tests

class DiffusionScenarioTest(unittest.TestCase):

    def test_a_case_emits_loaded_warmups_samples_memory_done(self):
        ok, events = run(make_case(warmup_iterations=2, min_iterations=3, max_iterations=3))

        self.assertTrue(ok)
        self.assertEqual(["loaded", "warmup", "warmup", "warmed", "sample", "sample", "sample", "load"] + counted()
                         + ["memory", "done"], types(events))
        self.assertEqual({"text_encoder": 800, "unet": 20, "vae_decoder": 15}, events[0]["components"])
        self.assertEqual(835, events[0]["parameters"])
        self.assertEqual("cpu", events[-2]["device"])

    def test_the_profiled_iteration_runs_only_the_first_steps_and_no_decode(self):
        from genbench_worker.scenarios.diffusion import DiffusionScenario
        from genbench_worker.measure import profiling

        case = make_case(steps=7).resolved("cpu", "sd")
        loaded, _ = ModelCache(FakeBuilder()).get(case, CPU)
        scenario = DiffusionScenario(case, loaded, CPU)
        scenario.prepare()
        full = scenario.iterate()
        scenario.profile_step_limit = profiling.PROFILED_STEPS
        limited = scenario.iterate()

        self.assertEqual(7, len(full.step_ns))
        self.assertGreater(full.decode_ns, 0)
        self.assertEqual(min(7, profiling.PROFILED_STEPS), len(limited.step_ns))
        self.assertEqual(0, limited.decode_ns)

    def test_every_sample_has_one_step_time_per_inference_step(self):
        _, events = run(make_case(steps=7))

        samples = [e for e in events if e["type"] == "sample"]
        self.assertEqual([0, 1], [s["iteration"] for s in samples])
        self.assertEqual([0, 1], [s["seq"] for s in samples], "each measured sample numbered once, from 0")
        for s in samples:
            self.assertEqual(7, len(s["step_ns"]))
            self.assertTrue(all(t > 0 for t in s["step_ns"]))
            self.assertGreaterEqual(s["e2e_ns"], sum(s["step_ns"]) + s["text_encode_ns"] + s["decode_ns"])
            self.assertEqual(1, s["images"])

    def test_guidance_doubles_the_unet_batch_with_one_call_per_step(self):
        model = FakeDiffusionModel()
        builder = FakeBuilder(make=lambda case, dtype: model)

        run(make_case(batch_size=3, steps=5, guidance_scale=7.5, warmup_iterations=0,
                      min_iterations=1, max_iterations=1), builder)

        self.assertEqual([6] * 5, model.unet_batches)

    def test_no_guidance_keeps_the_unet_batch(self):
        model = FakeDiffusionModel()

        run(make_case(batch_size=2, steps=3, guidance_scale=1.0, warmup_iterations=0,
                      min_iterations=1, max_iterations=1), FakeBuilder(make=lambda case, dtype: model))

        self.assertEqual([2] * 3, model.unet_batches)

    def test_video_cases_count_every_frame_as_an_image(self):
        _, events = run(make_case(model="fake/svd", frames=3, batch_size=2, steps=2),
                        FakeBuilder(family="svd"))

        samples = [e for e in events if e["type"] == "sample"]
        self.assertEqual([6, 6], [s["images"] for s in samples])
        self.assertEqual(2, len(samples[0]["step_ns"]))

    def test_saved_images_are_pngs_of_the_requested_size(self):
        with tempfile.TemporaryDirectory() as folder:
            ok, _ = run(make_case(batch_size=2, width=24, height=16, save_images=folder))

            files = sorted(os.listdir(folder))
            self.assertTrue(ok)
            self.assertEqual(["fake-b1-s4-000.png", "fake-b1-s4-001.png"], files)  # first measured iteration only
            with open(os.path.join(folder, files[0]), "rb") as f:
                width, height, depth, color = png_size(f.read())
        self.assertEqual((24, 16, 8, 2), (width, height, depth, color))

    def test_cuda_graphs_on_cpu_are_unsupported_and_the_case_still_ends_with_done(self):
        ok, events = run(make_case(cuda_graphs=True))

        self.assertFalse(ok)
        self.assertEqual(["loaded", "failed", "done"], types(events))
        self.assertEqual("unsupported", events[1]["kind"])
        self.assertIn("CUDA", events[1]["message"])

    def test_compile_without_torch_compile_is_unsupported(self):
        if hasattr(torch, "compile"):
            self.skipTest("torch %s has torch.compile" % torch.__version__)

        _, events = run(make_case(compile=True))

        self.assertEqual("unsupported", events[-2]["kind"])

    def test_float16_on_cpu_with_torch_1_is_unsupported_before_building(self):
        if int(torch.__version__.split(".")[0]) >= 2:
            self.skipTest("torch >= 2 is allowed to try float16 on CPU")
        builder = FakeBuilder()

        _, events = run(make_case(precision="float16"), builder)

        self.assertEqual(["failed", "done"], types(events))
        self.assertEqual("unsupported", events[0]["kind"])
        self.assertIn("float16", events[0]["message"])
        self.assertEqual(0, builder.builds)

    def test_a_gpu_oom_while_building_is_reported_and_the_next_case_runs(self):
        cache = ModelCache(FakeBuilder(error=RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")))
        events = RecordingStream()

        first = run_case(make_case(id="a"), cache, events, CPU, telemetry_for=lambda *a: telemetry.NoTelemetry())
        cache._builder = FakeBuilder()
        second = run_case(make_case(id="b"), cache, events, CPU, telemetry_for=lambda *a: telemetry.NoTelemetry())

        self.assertEqual((False, True), (first, second))
        dicts = events.dicts()
        self.assertEqual(["failed", "done"], types(dicts)[:2])
        self.assertEqual("gpu_out_of_memory", dicts[0]["kind"])
        self.assertEqual("done", dicts[-1]["type"])

    def test_a_failing_iteration_after_samples_ends_with_failed_and_done(self):
        model = FakeDiffusionModel()
        calls = {"n": 0}
        original = model.decode

        def decode(latents):
            calls["n"] += 1
            if calls["n"] == 3:
                raise ValueError("decoder exploded")
            return original(latents)

        model.decode = decode

        ok, events = run(make_case(warmup_iterations=1, min_iterations=3, max_iterations=3),
                         FakeBuilder(make=lambda case, dtype: model))

        self.assertFalse(ok)
        self.assertEqual(["loaded", "warmup", "warmed", "sample", "failed", "done"], types(events))
        self.assertEqual("worker_error", events[-2]["kind"])
        self.assertIn("decoder exploded", events[-2]["message"])

    def test_the_model_is_built_once_and_later_cases_report_that_build_time(self):
        builder = FakeBuilder()
        cache = ModelCache(builder)

        _, first = run(make_case(id="a"), cache=cache)
        _, second = run(make_case(id="b", batch_size=2), cache=cache)
        _, third = run(make_case(id="c", precision="bfloat16"), cache=cache)

        self.assertEqual(2, builder.builds)
        self.assertEqual(first[0]["load_ns"], second[0]["load_ns"])
        self.assertEqual("loaded", third[0]["type"])

    def test_every_emitted_event_is_valid_on_the_wire(self):
        sink = io.BytesIO()
        sink.mode = "wb"

        ok = run_case(make_case(), ModelCache(FakeBuilder()), EventStream(sink), CPU,
                      telemetry_for=lambda *a: telemetry.NoTelemetry())

        # the bytes the real writer produced, not the recording double's copy, parsed strictly line by line
        events = [parse_event(line) for line in sink.getvalue().decode("utf-8").splitlines()]
        self.assertTrue(ok)
        self.assertEqual(["loaded", "warmup", "warmed", "sample", "sample", "load"] + counted() + ["memory", "done"],
                         types(events))

    def test_prediction_type_follows_the_model(self):
        self.assertEqual("v_prediction", prediction_type("stabilityai/stable-diffusion-2-1", "sd"))
        self.assertEqual("epsilon", prediction_type("stabilityai/stable-diffusion-2-1-base", "sd"))
        self.assertEqual("epsilon", prediction_type("stabilityai/stable-diffusion-xl-base-1.0", "sdxl"))
        self.assertEqual("v_prediction", prediction_type("stabilityai/stable-video-diffusion-img2vid-xt", "svd"))


class MeasureLoopTest(unittest.TestCase):

    def loop(self, times=None, **case_fields):
        ticks = {"now": 0, "i": 0}
        times = times or (lambda i: 1_000_000_000)  # every iteration takes one second unless told

        def now_ns():
            return ticks["now"]

        def iterate():
            e2e = times(ticks["i"])
            ticks["i"] += 1
            ticks["now"] += e2e
            return IterationResult(e2e_ns=e2e)

        events = RecordingStream()
        n = measure(make_case(**case_fields), events, iterate, now_ns=now_ns)
        return n, types(events.dicts())

    def test_a_steady_median_stops_measuring_once_it_has_an_interval(self):
        # six equal times: the 95 % interval of the median (min..max at n = 6) is 0 wide
        self.assertEqual(6, self.loop(min_iterations=2, max_iterations=10, warmup_iterations=0)[0])

    def test_measuring_goes_on_until_min_duration_has_passed(self):
        n, kinds = self.loop(min_iterations=1, max_iterations=20, min_duration_s=7.5, warmup_iterations=1)

        self.assertEqual(8, n)
        self.assertEqual(["warmup", "warmed"] + ["sample"] * 8 + ["load"], kinds)

    def test_max_iterations_caps_the_duration(self):
        self.assertEqual(5, self.loop(min_iterations=2, max_iterations=5, min_duration_s=100.0)[0])

    def test_a_noisy_median_measures_on_until_its_interval_is_within_the_target(self):
        # every fifth iteration preempted (1.2 s, the others 1.0 s): the interval reaches the slow ones until there
        # are enough samples for its upper rank to fall among the fast ones
        noisy = lambda i: 1_200_000_000 if i % 5 == 4 else 1_000_000_000  # noqa: E731

        n, _ = self.loop(times=noisy, min_iterations=2, max_iterations=1000, max_measure_s=1e6, target_ci_pct=3.0,
                         warmup_iterations=0, max_warmup_iterations=0)
        m, _ = self.loop(times=noisy, min_iterations=2, max_iterations=1000, max_measure_s=1e6, target_ci_pct=50.0,
                         warmup_iterations=0, max_warmup_iterations=0)

        self.assertEqual(6, m, "±50 % holds at the first interval")
        self.assertGreater(n, 6, "±3 % does not hold while the interval spans 1.0 and 1.2 s")
        self.assertLess(n, 1000, "the interval narrows onto one value: the rule stops before the cap")

    def test_the_budget_stops_a_median_that_never_settles(self):
        wild = lambda i: 1_000_000_000 * (1 + i % 7)  # noqa: E731

        n, kinds = self.loop(times=wild, min_iterations=3, max_iterations=1000, max_measure_s=30.0, target_ci_pct=1.0,
                             warmup_iterations=0, max_warmup_iterations=0)

        self.assertEqual(9, n, "1+2+..+7+1 = 29 s; the 9th iteration ends at 31 s, past the 30 s budget")
        self.assertEqual("load", kinds[-1])


class LLMScenarioTest(unittest.TestCase):

    def lm_case(self, **overrides):
        values = dict(id="opt-b2-p8-o4", model="fake/opt", batch_size=2, prompt_tokens=8, output_tokens=4,
                      warmup_iterations=1, max_warmup_iterations=1, min_iterations=2, max_iterations=2)
        values.update(overrides)
        return Case.build(**values)

    def test_prefill_then_one_timed_decode_step_per_further_token(self):
        lm = FakeLM()

        ok, events = run(self.lm_case(), FakeBuilder(make=lambda case, dtype: lm, family="opt"))

        self.assertTrue(ok)
        self.assertEqual(["loaded", "warmup", "warmed", "sample", "sample", "load"] + counted() + ["memory", "done"],
                         types(events))
        sample = events[types(events).index("sample")]
        self.assertEqual(3, len(sample["decode_token_ns"]))
        self.assertEqual(sample["ttft_ns"], sample["prefill_ns"])
        self.assertEqual(8, sample["tokens"])
        self.assertEqual(([], 0, 0), (sample["step_ns"], sample["images"], sample["decode_ns"]))
        self.assertEqual([(2, 8), (2, 1), (2, 1), (2, 1)], lm.calls[-8:-4])

    def test_a_case_without_token_counts_fails_clearly(self):
        diffusion = Case.build(id="opt-b2", model="fake/opt", batch_size=2, warmup_iterations=1, max_warmup_iterations=1,
                               min_iterations=2, max_iterations=2)  # no token counts: a diffusion workload

        _, events = run(diffusion, FakeBuilder(make=lambda c, d: FakeLM(), family="opt"))

        self.assertEqual("worker_error", events[-2]["kind"])
        self.assertIn("prompt_tokens", events[-2]["message"])

    def test_more_tokens_than_positions_is_unsupported(self):
        _, events = run(self.lm_case(prompt_tokens=60, output_tokens=8),
                        FakeBuilder(make=lambda c, d: FakeLM(), family="opt"))

        self.assertEqual("unsupported", events[-2]["kind"])


class CatalogModelsTest(unittest.TestCase):
    """The tiny configurations of the real architectures, end to end on CPU."""

    def setUp(self):
        try:
            from genbench_worker.models import registry  # noqa: F401
        except ImportError as e:
            self.skipTest("genbench_worker.models.registry is not importable yet: %s" % e)

    def check(self, case):
        ok, events = run(case, cache=ModelCache())
        self.assertTrue(ok, events)
        self.assertEqual(["loaded", "warmed", "sample", "load"] + counted() + ["memory", "done"], types(events))
        return [e for e in events if e["type"] not in ("flops", "warmed")]

    def test_tiny_sd_sdxl_and_svd_run(self):
        for model_id, frames, scheduler in [("runwayml/stable-diffusion-v1-5", None, "ddim"),
                                            ("stabilityai/stable-diffusion-xl-base-1.0", None, "euler"),
                                            ("stabilityai/stable-video-diffusion-img2vid-xt", 2, "euler")]:
            with self.subTest(model=model_id):
                events = self.check(make_case(model=model_id, tiny=True, frames=frames, scheduler=scheduler,
                                              steps=2, width=32, height=32, warmup_iterations=0,
                                              min_iterations=1, max_iterations=1))
                self.assertEqual(2, len(events[1]["step_ns"]))
                self.assertEqual(frames or 1, events[1]["images"])

    def test_tiny_opt_runs(self):
        events = self.check(Case.build(id="opt", model="facebook/opt-125m", tiny=True, batch_size=2, prompt_tokens=8,
                                 output_tokens=3, warmup_iterations=0, max_warmup_iterations=0, min_iterations=1,
                                 max_iterations=1))

        self.assertEqual(2, len(events[1]["decode_token_ns"]))
        self.assertEqual(6, events[1]["tokens"])

    def test_an_unknown_model_is_unsupported(self):
        _, events = run(make_case(model="nobody/nothing"), cache=ModelCache())

        self.assertEqual(["failed", "done"], types(events))
        self.assertEqual("unsupported", events[0]["kind"])


# ------------------------------------------------------------------------------------------ timing, telemetry

class TimingTest(unittest.TestCase):

    def test_phases_and_e2e_come_from_the_clock(self):
        ticks = iter(range(0, 1000, 10))
        timer = timing.HostClock(lambda: next(ticks)).iteration()

        timer.start()                  # 0
        with timer.phase("step"):      # 10 .. 20
            pass
        with timer.phase("step"):      # 30 .. 40
            pass
        timer.stop()                   # 50

        self.assertEqual({"e2e": [50], "step": [10, 10]}, timer.finish())

    def test_cpu_devices_use_the_host_clock(self):
        self.assertIsInstance(timing.clock_for(CPU), timing.HostClock)
        self.assertIsInstance(timing.clock_for("cuda:0"), timing.CudaClock)


class FakeSource:
    def __init__(self):
        self.closed = False
        self.reads = 0

    def read(self):
        self.reads += 1
        return (50.0, 25.0, 300.0)

    def close(self):
        self.closed = True

    def wait_reads(self, n, timeout_s=10.0):
        """Waits until `n` reads were made (at most `timeout_s`): counted reads, not a sleep, so that a busy host that
        keeps the sampler's thread off its core longer does not change what the test sees."""
        deadline = time.monotonic() + timeout_s
        while self.reads < n and time.monotonic() < deadline:
            time.sleep(0.001)
        return self.reads


class TelemetryTest(unittest.TestCase):

    def test_samples_are_averaged_into_throttled_events_until_stopped(self):
        events, source = RecordingStream(), FakeSource()
        sampler = telemetry.TelemetrySampler(events, "c", source, sample_interval_s=0.005, emit_interval_s=0.05)

        t0 = time.monotonic()
        sampler.start()
        # 25 reads, 5 ms apart: at least 120 ms, so at least two 50 ms windows were emitted by the sampler's thread
        self.assertGreaterEqual(source.wait_reads(25), 25)
        sampler.stop()
        elapsed = time.monotonic() - t0
        sampler.stop()
        count = len(events.events)
        threading.Event().wait(0.05)

        self.assertTrue(source.closed)
        self.assertGreaterEqual(count, 2)
        self.assertLessEqual(count, elapsed / 0.05 + 2)  # one a window, and the last partial one
        self.assertLess(count, source.reads)  # averaged: fewer events than samples
        self.assertEqual(count, len(events.events))  # nothing after stop
        e = events.dicts()[0]
        self.assertEqual((50.0, 25.0, 300.0, "c"), (e["gpu_util_pct"], e["memory_used_pct"], e["power_w"], e["case_id"]))

    def test_windows_are_tagged_with_the_phase_they_belong_to(self):
        events, source = RecordingStream(), FakeSource()
        sampler = telemetry.TelemetrySampler(events, "c", source, sample_interval_s=0.005, emit_interval_s=10)

        sampler.start()
        source.wait_reads(2)  # the second read comes after the first sample is in the window
        sampler.set_measuring(True)
        source.wait_reads(source.reads + 2)  # a read begun after the switch, and its sample in the window
        sampler.set_measuring(False)
        sampler.stop()

        phases = [e["measuring"] for e in events.dicts()]
        self.assertEqual([False, True], phases[:2])
        for e in events.dicts():
            parse_event(__import__("json").dumps(e))

    def test_nvidia_smi_lines_parse(self):
        self.assertEqual((97.0, 50.0, 412.3), telemetry.parse_smi_line("97, 40000, 80000, 412.30\n"))
        self.assertEqual((3.0, 50.0, 0.0), telemetry.parse_smi_line("3, 1, 2, [N/A]"))
        self.assertIsNone(telemetry.parse_smi_line("garbage"))

    def test_cpu_cases_get_no_telemetry(self):
        self.assertIsInstance(telemetry.for_case(RecordingStream(), "c", CPU), telemetry.NoTelemetry)


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, tag = struct.unpack(">I4s", data[8:16])
    assert tag == b"IHDR" and length == 13
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    idat = data.index(b"IDAT")
    (idat_len,) = struct.unpack(">I", data[idat - 4:idat])
    raw = zlib.decompress(data[idat + 4:idat + 4 + idat_len])
    assert len(raw) == height * (1 + width * 3)
    return width, height, depth, color


class PngTest(unittest.TestCase):

    def test_png_bytes_hold_the_pixels(self):
        rgb = torch.arange(2 * 3 * 3, dtype=torch.uint8).reshape(2, 3, 3)

        data = png_bytes(rgb)

        self.assertEqual((3, 2, 8, 2), png_size(data))
        idat = data.index(b"IDAT")
        raw = zlib.decompress(data[idat + 4:])
        self.assertEqual(b"\x00" + bytes(range(9)) + b"\x00" + bytes(range(9, 18)), raw)


if __name__ == "__main__":
    unittest.main()


class AutoKnobsTest(unittest.TestCase):
    def test_auto_knobs_are_off_on_cpu_and_the_loaded_event_says_what_ran(self):
        ok, events = run(make_case())

        self.assertTrue(ok)
        loaded = [e for e in events if e["type"] == "loaded"][0]
        self.assertEqual(False, loaded["knobs"]["cuda_graphs"])
        self.assertEqual(False, loaded["knobs"]["channels_last"])
        expected_attention = "sdpa" if hasattr(torch.nn.functional, "scaled_dot_product_attention") else "math"
        self.assertEqual(expected_attention, loaded["knobs"]["attention"])
        parse_event(__import__("json").dumps(loaded))

    def test_auto_knobs_turn_on_for_cuda_diffusion_and_opt_graph_decode(self):
        case = make_case()

        self.assertTrue(case.resolved("cuda", "sd").knobs.cuda_graphs)
        self.assertTrue(case.resolved("cuda", "sdxl").knobs.cuda_graphs)
        self.assertTrue(case.resolved("cuda", "sd").knobs.channels_last)
        self.assertFalse(dataclasses.replace(case, batch_size=4).resolved("cuda", "sd").knobs.channels_last)
        self.assertTrue(dataclasses.replace(case, batch_size=4, knobs=dataclasses.replace(case.knobs, channels_last=True))
                        .resolved("cuda", "sd").knobs.channels_last)
        self.assertFalse(case.resolved("cuda", "sdxl").knobs.channels_last)
        self.assertTrue(case.resolved("cuda", "opt").knobs.cuda_graphs)
        self.assertFalse(case.resolved("cuda", "opt").knobs.channels_last)
        self.assertFalse(case.resolved("cpu", "sd").knobs.cuda_graphs)

    def test_an_explicit_knob_is_kept(self):
        self.assertFalse(make_case(cuda_graphs=False).resolved("cuda", "sd").knobs.cuda_graphs)

    def test_a_knob_that_is_neither_bool_nor_auto_is_rejected(self):
        with self.assertRaises(CaseError) as ctx:
            make_case(cuda_graphs="yes")
        self.assertIn("auto", str(ctx.exception))


class DiffusersBackendTest(unittest.TestCase):
    @unittest.skipIf(__import__("importlib").util.find_spec("diffusers") is not None, "diffusers is installed here")
    def test_without_diffusers_the_case_is_unsupported_and_says_why(self):
        events = RecordingStream()
        case = make_case(model="stabilityai/stable-diffusion-2-1", backend="diffusers", weights="/nonexistent", tiny=True)

        ok = run_case(case, ModelCache(), events, CPU, telemetry_for=lambda *a: telemetry.NoTelemetry())

        failed = [e for e in events.dicts() if e["type"] == "failed"]
        self.assertFalse(ok)
        self.assertEqual("unsupported", failed[0]["kind"])
        self.assertIn("diffusers", failed[0]["message"])

    def test_an_unknown_backend_is_rejected(self):
        with self.assertRaises(CaseError) as ctx:
            make_case(backend="tensorrt")
        self.assertIn("diffusers", str(ctx.exception))


class MemoryWindowTest(unittest.TestCase):
    def test_a_case_that_cannot_reuse_the_model_releases_it_before_its_memory_peak_starts(self):
        from genbench_worker import scenarios as scenarios_module

        calls = []
        cache = ModelCache(FakeBuilder())
        original_reset, original_clear = scenarios_module.memory.reset, cache.clear
        scenarios_module.memory.reset = lambda device: calls.append("reset")
        cache.clear = lambda: (calls.append("clear"), original_clear())
        try:
            run(make_case(id="a", precision="float32"), cache=cache)
            calls.clear()
            run(make_case(id="b", precision="bfloat16"), cache=cache)
        finally:
            scenarios_module.memory.reset = original_reset

        self.assertEqual(["clear", "reset"], calls[:2])


class CaseMemoryTest(unittest.TestCase):

    def test_a_cuda_window_hands_back_the_allocators_cache_before_resetting_its_peak(self):
        from genbench_worker.measure import memory

        calls = self._record_cuda_calls(lambda: memory.CaseMemory("cuda:0").start())

        # a reset keeps the current reservation as the new peak: what an earlier case left cached must go first, and
        # cuBLAS's per-stream workspaces (live blocks a CUDA-graphed case's side streams leave) with it
        self.assertEqual(["synchronize", "clear_cublas_workspaces", "empty_cache", "reset"], calls)

    def test_a_cuda_window_restarts_from_an_emptied_cache_once_the_model_is_in_place(self):
        from genbench_worker.measure import memory

        window = memory.CaseMemory("cuda:0")
        calls = self._record_cuda_calls(window.model_ready)

        # the build's freed temporaries must not host this case's activations (first and later cases alike)
        self.assertEqual(["synchronize", "clear_cublas_workspaces", "empty_cache", "reset"], calls)

    def test_a_cpu_window_keeps_its_baseline_when_the_model_is_in_place(self):
        from genbench_worker.measure import memory

        window = memory.CaseMemory("cpu", sampler_factory=lambda: None)
        calls = self._record_cuda_calls(window.model_ready)

        self.assertEqual([], calls)

    @staticmethod
    def _record_cuda_calls(action):
        calls = []
        names = ("synchronize", "empty_cache", "reset_peak_memory_stats")
        saved = {name: getattr(torch.cuda, name) for name in names}
        saved_clear = getattr(torch._C, "_cuda_clearCublasWorkspaces", None)
        torch.cuda.synchronize = lambda device=None: calls.append("synchronize")
        torch.cuda.empty_cache = lambda: calls.append("empty_cache")
        torch.cuda.reset_peak_memory_stats = lambda device=None: calls.append("reset")
        torch._C._cuda_clearCublasWorkspaces = lambda: calls.append("clear_cublas_workspaces")
        try:
            action()
        finally:
            for name, fn in saved.items():
                setattr(torch.cuda, name, fn)
            if saved_clear is None:
                del torch._C._cuda_clearCublasWorkspaces
            else:
                torch._C._cuda_clearCublasWorkspaces = saved_clear
        return calls

    def test_rss_delta_is_the_sampled_peak_above_the_resident_set_at_the_start(self):
        from genbench_worker.measure import memory

        readings = iter([100, 130, 180, 120] + [110] * 100000)
        sampler = memory.RssSampler(read_rss=lambda: next(readings), period_s=0.001, high_water=None)

        sampler.start()
        while sampler.peak < 180:
            threading.Event().wait(0.001)
        sampler.stop()

        self.assertEqual((100, 180, 80), (sampler.baseline, sampler.peak, sampler.delta))

    def test_a_resident_set_that_shrinks_below_the_baseline_is_a_delta_of_zero(self):
        from genbench_worker.measure import memory

        sampler = memory.RssSampler(read_rss=iter([500] + [400] * 100000).__next__, period_s=0.001, high_water=None)

        sampler.start()
        sampler.stop()

        self.assertEqual(0, sampler.delta)

    def test_a_cpu_case_reports_its_rss_delta_with_the_baseline(self):
        _, events = run(make_case())

        mem = [e for e in events if e["type"] == "memory"][0]
        self.assertEqual(("cpu", "rss-delta"), (mem["device"], mem["kind"]))
        self.assertGreater(mem["baseline_bytes"], 0)
        self.assertEqual(mem["peak_allocated_bytes"], mem["peak_reserved_bytes"])

    def test_a_cases_rss_delta_does_not_depend_on_a_bigger_case_before_it(self):
        try:
            from genbench_worker.models import registry  # noqa: F401
        except ImportError as e:
            self.skipTest("registry not importable: %s" % e)

        def small(case_id, size=256):  # big enough that activations, not noise, make the figure (over 100 MB)
            return make_case(id=case_id, model="runwayml/stable-diffusion-v1-5", tiny=True, width=size,
                             height=size, batch_size=2, steps=1, warmup_iterations=1, min_iterations=2,
                             max_iterations=2)

        bigger = make_case(id="bigger", model="stabilityai/stable-diffusion-xl-base-1.0", tiny=True, width=384,
                           height=384, batch_size=4, steps=1, warmup_iterations=0, min_iterations=1,
                           max_iterations=1)
        cache = ModelCache()

        figures = {}
        # the worker's first case also pays torch's one-time initialisation; "warm" takes that out of the comparison
        for case in (small("warm", size=64), small("first"), bigger, small("after")):
            _, events = run(case, cache=cache)
            figures[case.id] = [e for e in events if e["type"] == "memory"][0]["peak_allocated_bytes"]

        self.assertGreater(figures["bigger"], figures["first"])
        self.assertGreater(figures["first"], 100 << 20)
        self.assertLess(abs(figures["after"] - figures["first"]), 0.10 * figures["first"], figures)


class SteppingClock:
    """perf_counter_ns for a ModelCache: each build takes the next of `builds_ns`; prime() can spend more."""

    def __init__(self, builds_ns):
        self.now = 0
        self._builds = list(builds_ns)
        self._started = False

    def __call__(self):
        if self._started:
            self.now += self._builds.pop(0)
        self._started = not self._started
        return self.now


class ModelBuildTimeTest(unittest.TestCase):
    """A model's build is measured once per worker and every case of that model is charged the same build."""

    def test_every_case_of_a_model_reports_its_first_build_and_whether_it_found_the_model_built(self):
        builder = FakeBuilder()
        cache = ModelCache(builder, now_ns=SteppingClock([6_000_000_000, 300_000_000, 5_800_000_000]))

        loads = {}
        for case in (make_case(id="f32-b1"), make_case(id="f32-b2", batch_size=2),
                     make_case(id="bf16", precision="bfloat16"), make_case(id="f32-again")):
            _, events = run(case, cache=cache)
            loads[case.id] = events[0]

        self.assertEqual(3, builder.builds)  # float32, bfloat16, float32 again after the eviction
        self.assertEqual([6_000_000_000, 6_000_000_000, 300_000_000, 6_000_000_000],
                         [loads[i]["load_ns"] for i in ("f32-b1", "f32-b2", "bf16", "f32-again")])
        self.assertEqual([False, True, False, False],
                         [loads[i]["reused"] for i in ("f32-b1", "f32-b2", "bf16", "f32-again")])

    def test_the_first_build_is_primed_untimed_once_per_model(self):
        clock = SteppingClock([200_000_000, 250_000_000, 190_000_000])
        primed = []

        def prime(case, device, dtype):
            primed.append((case.id, dtype))
            clock.now += 5_000_000_000  # imports and lazily loaded kernels: the process's, not the model's

        cache = ModelCache(FakeBuilder(), now_ns=clock, prime=prime)
        _, first = run(make_case(id="a"), cache=cache)
        _, second = run(make_case(id="b", batch_size=2), cache=cache)
        _, third = run(make_case(id="c", precision="bfloat16"), cache=cache)
        _, fourth = run(make_case(id="d"), cache=cache)

        self.assertEqual([("a", torch.float32), ("c", torch.bfloat16)], primed)
        self.assertEqual([200_000_000, 200_000_000, 250_000_000, 200_000_000],
                         [e[0]["load_ns"] for e in (first, second, third, fourth)])

    def test_two_cases_of_one_tiny_catalog_model_report_the_same_load_time(self):
        try:
            from genbench_worker.models import registry  # noqa: F401
        except ImportError as e:
            self.skipTest("registry not importable: %s" % e)
        from unittest import mock

        from genbench_worker import backends

        primed = []
        real_prime = backends.registry_prime
        with mock.patch.object(backends, "registry_prime",
                               lambda c, d, t: (primed.append(c.model), real_prime(c, d, t))):
            cache = ModelCache(backends.registry_builder)
        sd = dict(model="stabilityai/stable-diffusion-2-1", tiny=True, width=64, height=64, steps=2,
                  warmup_iterations=0, max_warmup_iterations=0, min_iterations=1, max_iterations=1)
        opt = dict(model="facebook/opt-125m", tiny=True, prompt_tokens=8, output_tokens=4, warmup_iterations=0,
                   max_warmup_iterations=0, min_iterations=1, max_iterations=1)

        loaded = []
        for case in (make_case(id="sd-b1", **sd), make_case(id="sd-b2", batch_size=2, **sd),
                     make_case(id="opt-b1", **opt), make_case(id="opt-b2", batch_size=2, **opt)):
            ok, events = run(case, cache=cache)
            self.assertTrue(ok, events[-2:])
            loaded.append(events[0])

        self.assertEqual(["stabilityai/stable-diffusion-2-1", "facebook/opt-125m"], primed)
        self.assertEqual(loaded[0]["load_ns"], loaded[1]["load_ns"])
        self.assertEqual(loaded[2]["load_ns"], loaded[3]["load_ns"])
        self.assertEqual([False, True, False, True], [e["reused"] for e in loaded])


class FakeFlopCounter:
    """FlopCounterMode's surface; every counted region "does" the FLOPs next in `plan`."""

    plan = []
    regions = 0

    def __init__(self, display=True):
        self.flops = 0

    def __enter__(self):
        FakeFlopCounter.regions += 1
        self.flops = FakeFlopCounter.plan.pop(0)
        return self

    def __exit__(self, *exc):
        return False

    def get_total_flops(self):
        return self.flops


class FlopsTest(unittest.TestCase):

    def setUp(self):
        from genbench_worker.measure import flops

        self.flops = flops
        flops.clear_cache()
        self.addCleanup(flops.clear_cache)
        FakeFlopCounter.regions = 0

    def with_fake_counter(self):
        from unittest import mock

        return mock.patch.object(self.flops, "counter_class", lambda: FakeFlopCounter)

    def test_a_request_is_one_encode_steps_times_one_unet_call_and_one_decode_counted_after_the_measured_ones(self):
        FakeFlopCounter.plan = [10, 1000, 7]

        with self.with_fake_counter():
            _, events = run(make_case(steps=4, warmup_iterations=1, min_iterations=2, max_iterations=2))

        self.assertEqual(["loaded", "warmup", "warmed", "sample", "sample", "load", "flops", "memory", "done"],
                         types(events))
        self.assertEqual({"type": "flops", "case_id": "fake-b1-s4", "method": "torch.utils.flop_counter",
                          "flops_per_request": 10 + 4 * 1000 + 7, "flops_per_step": 1000, "flops_per_token": None,
                          "decode_bytes_per_step": None}, events[6])

    def test_the_same_model_and_shape_is_counted_once_and_more_steps_only_change_the_request(self):
        FakeFlopCounter.plan = [10, 1000, 7]
        cache = ModelCache(FakeBuilder())

        with self.with_fake_counter():
            _, first = run(make_case(id="a", steps=4), cache=cache)
            _, second = run(make_case(id="b", steps=8), cache=cache)

        self.assertEqual(3, FakeFlopCounter.regions)
        self.assertEqual(10 + 8 * 1000 + 7, [e for e in second if e["type"] == "flops"][0]["flops_per_request"])

    def test_an_llm_token_is_one_decode_step_at_the_mean_context_over_the_batch(self):
        FakeFlopCounter.plan = [800, 5000]
        lm = FakeLM()
        case = Case.build(id="opt", model="fake/opt", batch_size=2, prompt_tokens=8, output_tokens=6, warmup_iterations=0,
                    max_warmup_iterations=0, min_iterations=1, max_iterations=1)

        with self.with_fake_counter():
            _, events = run(case, FakeBuilder(make=lambda c, d: lm, family="opt"))

        work = [e for e in events if e["type"] == "flops"][0]
        self.assertEqual(400, work["flops_per_token"])
        self.assertEqual(sum(p.numel() * 4 for p in lm.parameters()), work["decode_bytes_per_step"])
        # after the measured iteration: prefill to the mean context, one counted decode step, the counted prefill
        self.assertEqual([(2, 8 + 3), (2, 1), (2, 8)], lm.calls[-3:])

    def test_an_llm_request_is_its_prefill_and_every_decode_step_after_it(self):
        FakeFlopCounter.plan = [800, 5000]  # one decode step for the batch of 2, then the prefill of 2 × 8 tokens
        case = Case.build(id="opt", model="fake/opt", batch_size=2, prompt_tokens=8, output_tokens=6, warmup_iterations=0,
                    max_warmup_iterations=0, min_iterations=1, max_iterations=1)

        with self.with_fake_counter():
            _, events = run(case, FakeBuilder(make=lambda c, d: FakeLM(), family="opt"))

        work = [e for e in events if e["type"] == "flops"][0]
        self.assertEqual(5000, work["prefill_flops"])
        self.assertEqual(5000 + 5 * 800, work["flops_per_request"])  # the prefill picks token 1; 5 steps pick the rest
        self.assertEqual(400, work["flops_per_token"])
        self.assertIsNone(work["flops_per_step"])

    def test_an_opt_decode_step_reads_the_weights_and_the_kv_cache_of_the_mean_context(self):
        try:
            from genbench_worker.models import registry
        except ImportError as e:
            self.skipTest("registry not importable: %s" % e)
        FakeFlopCounter.plan = [1000, 9000]
        case = Case.build(id="opt", model="facebook/opt-125m", tiny=True, batch_size=3, prompt_tokens=10, output_tokens=8,
                    warmup_iterations=0, max_warmup_iterations=0, min_iterations=1, max_iterations=1)
        config = registry.build("facebook/opt-125m", tiny=True).config

        with self.with_fake_counter():
            _, events = run(case, cache=ModelCache())

        work = [e for e in events if e["type"] == "flops"][0]
        params = sum(registry.parameter_counts("facebook/opt-125m", tiny=True).values()) * 4
        kv_cache = config.num_hidden_layers * 2 * 3 * (10 + 4) * config.hidden_size * 4
        self.assertEqual(params + kv_cache, work["decode_bytes_per_step"])
        self.assertEqual(333, work["flops_per_token"])

    def test_a_counting_error_is_logged_and_the_case_still_succeeds_without_a_flops_event(self):
        FakeFlopCounter.plan = []  # pop from an empty plan: the counter itself fails

        with self.with_fake_counter():
            ok, events = run(make_case())

        self.assertTrue(ok)
        self.assertNotIn("flops", types(events))

    def test_a_torch_without_flop_counter_sends_no_flops_event(self):
        if self.flops.counter_class() is not None:
            self.skipTest("torch %s has torch.utils.flop_counter" % torch.__version__)

        _, events = run(make_case())

        self.assertNotIn("flops", types(events))

    def test_kv_cache_bytes_add_up_every_key_and_value(self):
        past = tuple((torch.zeros(2, 4, 10, 8), torch.zeros(2, 4, 10, 8)) for _ in range(3))

        self.assertEqual(3 * 2 * 2 * 4 * 10 * 8 * 4, self.flops.tensor_bytes(past))


class Uint8ImagesTest(unittest.TestCase):
    """uint8_images (in place, conversion and layout in one copy) gives the bytes of the plain chain it replaced."""

    @staticmethod
    def former(images):
        x = images.detach().float()
        x = x.reshape(-1, *x.shape[-3:])
        x = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
        return x.permute(0, 2, 3, 1).contiguous()

    def test_the_same_bytes_as_the_former_chain_on_random_values_and_rounding_boundaries(self):
        from genbench_worker.scenarios.diffusion import uint8_images  # noqa: PLC0415

        g = torch.Generator().manual_seed(7)
        k = torch.arange(255, dtype=torch.float64)
        boundaries = (k + 0.5) / 127.5 - 1  # where (x + 1) * 127.5 is k + .5 (x = 0 exactly: 127.5)
        near = torch.cat([boundaries, torch.nextafter(boundaries, boundaries + 1), torch.nextafter(boundaries, boundaries - 1)])
        special = torch.tensor([-1.0, 1.0, 0.0, -0.0, float("inf"), float("-inf"), 1.5, -1.5, 1e-8, -1e-8], dtype=torch.float64)
        for dtype in (torch.float32, torch.float16, torch.bfloat16):
            for shape in ((2, 3, 16, 24), (1, 2, 3, 8, 8)):  # images, and video frames [B, F, 3, H, W]
                count = math.prod(shape)
                values = torch.cat([near, special, torch.rand(count, generator=g, dtype=torch.float64) * 2.6 - 1.3])
                for device in ["cpu"] + (["cuda"] if torch.cuda.is_available() else []):  # CUDA's kernels where it is
                    images = values[torch.randperm(values.numel(), generator=g)][:count].reshape(shape).to(device, dtype)
                    before = images.clone()

                    got = uint8_images(images)

                    expected = self.former(images)
                    self.assertTrue(got.is_contiguous())
                    self.assertEqual(expected.shape, got.shape)
                    self.assertTrue(torch.equal(expected, got), "%s %s %s" % (dtype, shape, device))
                    self.assertTrue(torch.equal(before, images), "the images themselves are left as they were")
        # the boundaries themselves, alone: every k + .5 neighbourhood, rounded as before
        for dtype in (torch.float32, torch.float16, torch.bfloat16):
            images = torch.cat([near, special, special[:2]]).to(dtype).reshape(1, 3, -1, 1)
            self.assertTrue(torch.equal(self.former(images), uint8_images(images)), str(dtype))
