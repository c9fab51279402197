"""The FLOP count after the measured iterations is the count before them, and `done.phases` says where a case's time
went.

The count moved from before `prepare()` (the case's memory format, compile, CUDA-graph capture) and warm-up to after
the measured iterations and the profiled one. FlopCounterMode (torch >= 2.1) is not in the CPU test torch (1.13), so a
counter with its surface is built here on TorchDispatchMode: it records every matmul, batched matmul and convolution
the dispatcher sees with its shapes and FLOPs (a multiply-add is 2). The tiny SD 2.1, SDXL and OPT models are counted
the old way (a fresh scenario, `flops.for_case` before `prepare()`) and through `run_case` (after measuring), with
channels_last forced on for the UNets: the FLOPs and the recorded operations must be the same.
"""

import math
import os
import sys
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import torch  # noqa: E402

from genbench_worker.backends import ModelCache  # noqa: E402
from genbench_worker.case import Case  # noqa: E402
from genbench_worker.measure import flops, telemetry  # noqa: E402
from genbench_worker.protocol import PHASES, parse_event  # noqa: E402
from genbench_worker.recording import RecordingStream  # noqa: E402
from genbench_worker.scenarios import PhaseClock, run_case, scenario_for  # noqa: E402
from test_scenarios import FakeBuilder, FakeDiffusionModel, FakeFlopCounter, make_case  # noqa: E402

CPU = torch.device("cpu")

try:
    from torch.utils._python_dispatch import TorchDispatchMode
except ImportError:  # pragma: no cover - every torch this worker supports has it
    TorchDispatchMode = None


def _mm_flops(a, b):
    return 2 * math.prod(a.shape[:-1]) * a.shape[-1] * b.shape[-1]


def _conv_flops(x, w, out):
    return 2 * math.prod(out.shape) * math.prod(w.shape[1:])


if TorchDispatchMode is not None:
    class ShapeCounter(TorchDispatchMode):
        """FlopCounterMode's surface (display=, get_total_flops) on TorchDispatchMode; every counted operation, with
        its shapes, is appended to `ShapeCounter.log` (one list per counted region)."""

        log = []

        def __init__(self, display=True):
            super().__init__()
            self.total = 0
            self.ops = []
            ShapeCounter.log.append(self.ops)

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            name = str(func.overloadpacket.__name__) if hasattr(func, "overloadpacket") else str(func)
            n = None
            if name in ("mm", "bmm", "matmul"):
                n = _mm_flops(args[0], args[1])
            elif name in ("addmm", "baddbmm"):
                n = _mm_flops(args[1], args[2])
            elif name == "convolution":
                n = _conv_flops(args[0], args[1], out)
            if n is not None:
                self.total += n
                self.ops.append((name, tuple(tuple(a.shape) for a in args[:3] if torch.is_tensor(a)), n))
            return out

        def get_total_flops(self):
            return self.total


def registry_or_skip(test):
    try:
        from genbench_worker.models import registry  # noqa: F401
    except ImportError as e:
        test.skipTest("registry not importable: %s" % e)
    if TorchDispatchMode is None:
        test.skipTest("this torch has no TorchDispatchMode")


def run(case, cache, clock=None):
    events = RecordingStream()
    kwargs = {} if clock is None else {"now_ns": clock}
    ok = run_case(case, cache, events, CPU, telemetry_for=lambda *a: telemetry.NoTelemetry(), **kwargs)
    return ok, events.dicts()


class CountAfterMeasuringTest(unittest.TestCase):

    def setUp(self):
        registry_or_skip(self)
        flops.clear_cache()
        self.addCleanup(flops.clear_cache)
        ShapeCounter.log = []

    def count_before_prepare(self, case, cache):
        """What the worker counted before this change: a fresh scenario, counted before prepare() and warm-up."""
        loaded, _ = cache.get(case, CPU)
        resolved = case.resolved("cpu", loaded.family)
        with mock.patch.object(flops, "counter_class", lambda: ShapeCounter):
            work = flops.for_case(resolved, scenario_for(resolved, loaded, CPU))
        flops.clear_cache()
        ops, ShapeCounter.log = ShapeCounter.log, []
        return work, ops

    def assert_same_count(self, case):
        cache = ModelCache()
        before, before_ops = self.count_before_prepare(case, cache)
        with mock.patch.object(flops, "counter_class", lambda: ShapeCounter):
            ok, events = run(case, cache)
        after_ops = ShapeCounter.log

        self.assertTrue(ok, events)
        types = [e["type"] for e in events]
        self.assertLess(types.index("sample"), types.index("flops"))  # counted after the measured iterations
        work = [e for e in events if e["type"] == "flops"][0]
        self.assertGreater(before.flops_per_request, 0)
        self.assertEqual(before.flops_per_request, work["flops_per_request"])
        self.assertEqual(before.flops_per_step, work["flops_per_step"])
        self.assertEqual(before.flops_per_token, work["flops_per_token"])
        self.assertEqual(before.decode_bytes_per_step, work["decode_bytes_per_step"])
        self.assertEqual(before.prefill_flops, work.get("prefill_flops"))
        self.assertEqual(before_ops, after_ops)  # the same operations at the same shapes, in the same order
        return events

    def test_tiny_sd21_counts_the_same_after_channels_last_and_the_measured_iterations(self):
        case = Case.build(id="sd21", model="stabilityai/stable-diffusion-2-1", tiny=True, steps=2, width=64, height=64,
                          channels_last=True, warmup_iterations=1, min_iterations=2, max_iterations=2,
                          min_duration_s=0.0)

        events = self.assert_same_count(case)

        self.assertTrue([e for e in events if e["type"] == "loaded"][0]["knobs"]["channels_last"])

    def test_tiny_sdxl_counts_the_same_after_channels_last_and_the_measured_iterations(self):
        self.assert_same_count(Case.build(
            id="sdxl", model="stabilityai/stable-diffusion-xl-base-1.0", tiny=True, steps=2, width=64, height=64,
            channels_last=True, warmup_iterations=1, min_iterations=2, max_iterations=2, min_duration_s=0.0))

    def test_tiny_opt_counts_the_same_after_the_measured_iterations(self):
        self.assert_same_count(Case.build(
            id="opt", model="facebook/opt-125m", tiny=True, batch_size=2, prompt_tokens=8, output_tokens=6,
            warmup_iterations=1, min_iterations=2, max_iterations=2, min_duration_s=0.0))

    def test_the_counter_here_tells_two_shapes_apart(self):
        # the comparison above can fail: another batch is another count
        one = self.count_before_prepare(Case.build(id="a", model="stabilityai/stable-diffusion-2-1", tiny=True,
                                                   steps=2, width=64, height=64), ModelCache())[0]
        two = self.count_before_prepare(Case.build(id="b", model="stabilityai/stable-diffusion-2-1", tiny=True,
                                                   steps=2, width=64, height=64, batch_size=2), ModelCache())[0]

        self.assertNotEqual(one.flops_per_step, two.flops_per_step)


class ClockedModel(FakeDiffusionModel):
    """Each VAE decode moves the test's clock by 100 ns."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock

    def decode(self, latents):
        self.clock[0] += 100
        return super().decode(latents)


class PhasesTest(unittest.TestCase):

    def setUp(self):
        flops.clear_cache()
        self.addCleanup(flops.clear_cache)

    def test_done_says_how_long_each_phase_took_in_the_order_they_ran(self):
        t = [0]

        def make(case, dtype):
            t[0] += 5000  # the build
            return ClockedModel(t)

        FakeFlopCounter.plan = [10, 1000, 7]
        with mock.patch.object(flops, "counter_class", lambda: FakeFlopCounter):
            ok, events = run(make_case(warmup_iterations=1, min_iterations=2, max_iterations=2),
                             ModelCache(FakeBuilder(make=make)), clock=lambda: t[0])

        self.assertTrue(ok)
        done = events[-1]
        parse_event(__import__("json").dumps(done))
        # one decode per warm-up and measured iteration, one in the count; the CPU has no profiled iteration
        self.assertEqual({"setup": 0, "build": 5000, "prepare": 0, "warmup": 100, "measure": 200, "profile": 0,
                          "flops": 100, "finish": 0}, done["phases"])
        self.assertEqual(list(PHASES), list(done["phases"]))

    def test_a_failed_case_says_the_phases_it_reached(self):
        t = [0]
        ok, events = run(make_case(cuda_graphs=True), ModelCache(FakeBuilder()), clock=lambda: t[0])

        self.assertFalse(ok)
        self.assertEqual(["failed", "done"], [e["type"] for e in events[-2:]])
        self.assertEqual(["setup", "build", "prepare"], list(events[-1]["phases"]))

    def test_a_phase_entered_twice_adds_up(self):
        t = [0]
        clock = PhaseClock(lambda: t[0])
        for name, spent in (("build", 3), ("warmup", 5), ("build", 4)):
            clock.enter(name)
            t[0] += spent

        self.assertEqual({"build": 7, "warmup": 5}, clock.ns())


if __name__ == "__main__":
    unittest.main()
