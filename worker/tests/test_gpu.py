"""GPU-only behaviour: the CUDA-event clock, the CUDA-graphed UNet, NVML telemetry and a whole tiny case with its
profiled GPU-busy fraction and FLOP count. Skipped without CUDA; `scripts/test-gpu` sets GENBENCH_REQUIRE_GPU=1,
which turns a missing GPU into a failure, and runs them on a GPU host."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import torch  # noqa: E402

from genbench_worker.measure import telemetry, timing  # noqa: E402
from genbench_worker.backends import ModelCache  # noqa: E402
from genbench_worker.case import Case  # noqa: E402
from genbench_worker.recording import RecordingStream  # noqa: E402
from genbench_worker.scenarios import run_case  # noqa: E402

HAS_CUDA = torch.cuda.is_available()
REQUIRED = os.environ.get("GENBENCH_REQUIRE_GPU") == "1"


def setUpModule():
    if REQUIRED and not HAS_CUDA:
        raise AssertionError("GENBENCH_REQUIRE_GPU=1 but torch sees no CUDA device")


@unittest.skipUnless(HAS_CUDA, "needs a CUDA GPU (scripts/test-gpu)")
class CudaClockTest(unittest.TestCase):
    def test_a_phase_measures_the_gpu_work_inside_it_not_the_launch(self):
        clock = timing.clock_for(torch.device("cuda"))
        torch.cuda._sleep(1000)  # a first launch, outside the timing
        torch.cuda.synchronize()
        timer = clock.iteration()
        timer.start()
        with timer.phase("step"):
            # ~50 ms of GPU time, launched in microseconds: a host clock would see the launch only
            torch.cuda._sleep(int(50e-3 * torch.cuda.get_device_properties(0).clock_rate * 1e3))
        timer.stop()
        times = timer.finish()

        step_ms = times["step"][0] / 1e6
        self.assertGreater(step_ms, 20.0)
        self.assertLess(step_ms, 500.0)
        self.assertGreaterEqual(times["e2e"][0], times["step"][0])


@unittest.skipUnless(HAS_CUDA, "needs a CUDA GPU (scripts/test-gpu)")
class GraphedUNetTest(unittest.TestCase):
    def test_replaying_the_graph_computes_what_the_eager_call_computes(self):
        from genbench_worker.scenarios.diffusion import GraphedUNet  # noqa: PLC0415

        torch.manual_seed(0)
        conv = torch.nn.Conv2d(4, 4, 3, padding=1).cuda()

        def forward(sample, timestep, cond):
            return conv(sample) * timestep + cond["encoder_hidden_states"].mean()

        sample = torch.randn(2, 4, 16, 16, device="cuda")
        t = torch.tensor(3.0, device="cuda")
        cond = {"encoder_hidden_states": torch.randn(2, 7, 8, device="cuda")}
        with torch.inference_mode():
            graphed = GraphedUNet(forward, sample, t, cond)
            other = torch.randn(2, 4, 16, 16, device="cuda")
            expected = forward(other, torch.tensor(5.0, device="cuda"), cond).clone()
            actual = graphed(other, torch.tensor(5.0, device="cuda"), cond).clone()
        torch.testing.assert_close(actual, expected)


@unittest.skipUnless(HAS_CUDA, "needs a CUDA GPU (scripts/test-gpu)")
class TelemetryTest(unittest.TestCase):
    def test_nvml_or_nvidia_smi_reports_utilisation_while_the_gpu_works(self):
        source = telemetry.open_source(0)
        self.assertIsNotNone(source, "neither NVML nor nvidia-smi answered")
        try:
            readings = []
            deadline = time.monotonic() + 2.0
            x = torch.randn(4096, 4096, device="cuda")
            while time.monotonic() < deadline:
                for _ in range(20):
                    x = x @ x
                    x = x / x.norm()
                reading = source.read()
                if reading is not None:
                    readings.append(reading)
            torch.cuda.synchronize()
        finally:
            source.close()
        self.assertTrue(readings)
        # a reading is (gpu_util_pct, memory_used_pct, power_w)
        self.assertTrue(any(r[0] is not None and r[0] > 0 for r in readings), readings[-3:])
        self.assertTrue(any(r[2] is not None and r[2] > 0 for r in readings), readings[-3:])


@unittest.skipUnless(HAS_CUDA, "needs a CUDA GPU (scripts/test-gpu)")
class TinyCaseOnGpuTest(unittest.TestCase):
    def run_tiny(self, cuda_graphs):
        case = Case.build(id="tiny-%s" % cuda_graphs, model="stabilityai/stable-diffusion-2-1", batch_size=1, steps=4,
                    width=256, height=256, precision="float16", cuda_graphs=cuda_graphs, channels_last=False, tiny=True,
                    warmup_iterations=1, min_iterations=3, max_iterations=5, min_duration_s=0.0)
        events = RecordingStream()
        ok = run_case(case, ModelCache(), events, torch.device("cuda"),
                      telemetry_for=lambda *a: telemetry.NoTelemetry())
        self.assertTrue(ok, events.dicts())
        return {e["type"]: e for e in events.dicts()}, [e for e in events.dicts() if e["type"] == "sample"]

    def test_a_case_reports_its_warm_up_profile_flops_and_cuda_memory(self):
        by_type, samples = self.run_tiny(True)

        # at least min_iterations; the steady-median rule may go on to max_iterations (an interval needs 6 samples)
        self.assertGreaterEqual(len(samples), 3)
        self.assertLessEqual(len(samples), 5)
        self.assertIn("warmed", by_type)
        profile = by_type["profile"]
        self.assertEqual(len(profile["step_wall_ns"]), 4)
        self.assertEqual(len(profile["step_kernel_ns"]), 4)
        self.assertIsNotNone(profile["busy_fraction"], "kernels inside the CUDA graph were not seen")
        self.assertGreater(profile["busy_fraction"], 0.0)
        self.assertLessEqual(profile["busy_fraction"], 1.0)
        for wall, kernel in zip(profile["step_wall_ns"], profile["step_kernel_ns"]):
            self.assertLessEqual(kernel, wall)
        flops = by_type["flops"]
        self.assertGreater(flops["flops_per_step"], 0)
        self.assertGreater(flops["flops_per_request"], 4 * flops["flops_per_step"])
        self.assertEqual(by_type["memory"]["kind"], "cuda")

    def test_eager_and_graphed_cases_count_the_same_flops(self):
        graphed, _ = self.run_tiny(True)
        eager, _ = self.run_tiny(False)

        self.assertEqual(graphed["flops"]["flops_per_request"], eager["flops"]["flops_per_request"])


if __name__ == "__main__":
    unittest.main()


@unittest.skipUnless(HAS_CUDA, "needs a CUDA GPU (scripts/test-gpu)")
class OptGraphDecodeOnGpuTest(unittest.TestCase):
    """The LLM scenario's CUDA-graph decode: eager's greedy tokens, and a whole case with it on by auto."""

    def scenario(self, cuda_graphs):
        from types import SimpleNamespace

        from genbench_worker.models import registry
        from genbench_worker.scenarios.llm import LLMScenario

        model = registry.build("facebook/opt-125m", tiny=True, device="cuda", dtype=torch.float16)
        case = Case.build(id="opt", model="facebook/opt-125m", tiny=True, batch_size=4, prompt_tokens=16,
                          output_tokens=12, precision="float16", cuda_graphs=cuda_graphs).resolved("cuda", "opt")
        return LLMScenario(case, SimpleNamespace(model=model, extras={}), "cuda")

    def test_graph_replay_gives_the_eager_greedy_tokens_and_a_time_per_phase(self):
        graphed = self.scenario("auto")
        self.assertTrue(graphed.case.knobs.cuda_graphs, "auto picks graph decode for OPT on CUDA")
        graphed.prepare()
        result = graphed.iterate()
        with torch.inference_mode():
            model, ids = graphed.model, graphed._prompt()
            logits, past = model(ids, past_key_values=None, use_cache=True)
            tokens = [logits[:, -1, :].argmax(dim=-1, keepdim=True)]
            for _ in range(11):
                logits, past = model(tokens[-1], past_key_values=past, use_cache=True)
                tokens.append(logits[:, -1, :].argmax(dim=-1, keepdim=True))
        self.assertEqual(torch.cat(tokens, dim=1).tolist(), graphed.decoder.output().tolist())
        self.assertEqual(12, len(graphed.graphs.graphs))
        self.assertEqual(11, len(result.decode_token_ns))
        self.assertTrue(all(t > 0 for t in result.decode_token_ns))
        self.assertEqual(16 + 12, graphed.decoder.cache.max_length)

    def test_a_whole_case_reports_graphs_on_and_its_memory(self):
        case = Case.build(id="opt-graphs", model="facebook/opt-125m", tiny=True, batch_size=2, prompt_tokens=8,
                          output_tokens=6, precision="float16", warmup_iterations=1, min_iterations=3,
                          max_iterations=5, min_duration_s=0.0)
        events = RecordingStream()
        ok = run_case(case, ModelCache(), events, torch.device("cuda"), telemetry_for=lambda *a: telemetry.NoTelemetry())
        self.assertTrue(ok, events.dicts())
        by_type = {e["type"]: e for e in events.dicts()}
        self.assertTrue(by_type["loaded"]["knobs"]["cuda_graphs"])
        self.assertEqual(5, len(by_type["sample"]["decode_token_ns"]))
        self.assertGreater(by_type["memory"]["peak_allocated_bytes"], 0)
