"""The GPU-busy profile: interval arithmetic, reading the profiler's result, and the profiled iteration's plumbing
(on CPU: the CUDA parts are faked or must fail safely)."""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from genbench_worker.measure import profiling  # noqa: E402
from genbench_worker.measure.profiling import Launches, step_profile, union_within  # noqa: E402
from test_scenarios import FakeBuilder, FakeLM, make_case, run, types  # noqa: E402


class IntervalTest(unittest.TestCase):

    def test_overlapping_kernels_count_once(self):
        self.assertEqual(30, union_within([(0, 20), (10, 30), (25, 28)], 0, 100))

    def test_kernels_are_clipped_to_the_step(self):
        self.assertEqual(15, union_within([(-10, 5), (90, 200)], 0, 100))

    def test_kernels_outside_the_step_do_not_count(self):
        self.assertEqual(0, union_within([(100, 120), (-20, 0)], 0, 100))


class StepProfileTest(unittest.TestCase):

    def test_busy_fraction_is_kernel_time_over_wall_time_across_steps(self):
        result = step_profile([(0, 100), (100, 200)], [(10, 60), (40, 90), (120, 170)])

        self.assertEqual(([100, 100], [80, 50]), (result.step_wall_ns, result.step_kernel_ns))
        self.assertAlmostEqual(0.65, result.busy_fraction)

    def test_no_gpu_activity_at_all_is_no_fraction_with_a_reason(self):
        result = step_profile([(0, 100)], [])

        self.assertIsNone(result.busy_fraction)
        self.assertIn("no GPU activity", result.reason)

    def test_a_graph_replay_whose_kernels_were_not_reported_is_no_fraction(self):
        # one eager kernel (the CFG concat) was seen; the graph's hundreds of kernels were not
        result = step_profile([(0, 100)], [(5, 6)], [Launches(graphs=1, eager=1)])

        self.assertIsNone(result.busy_fraction)
        self.assertIn("CUDA graph", result.reason)

    def test_a_graph_replay_with_its_kernels_reported_counts_them(self):
        kernels = [(10 + i, 11 + i) for i in range(50)]

        result = step_profile([(0, 100)], kernels, [Launches(graphs=1, eager=1)])

        self.assertAlmostEqual(0.5, result.busy_fraction)


class FakeKinetoEvent:
    def __init__(self, name, device, start_ns, duration_ns, annotation=False):
        self._v = (name, device, start_ns, duration_ns, annotation)

    def name(self):
        return self._v[0]

    def device_type(self):
        return "DeviceType." + self._v[1]

    def start_ns(self):
        return self._v[2]

    def duration_ns(self):
        return self._v[3]

    def is_user_annotation(self):
        return self._v[4]


class FakeProfile:
    def __init__(self, events):
        results = type("Results", (), {"events": lambda _self: events})()
        self.profiler = type("Legacy", (), {"kineto_results": results})()


class ReadProfileTest(unittest.TestCase):

    def test_steps_kernels_and_launches_are_read_and_annotations_and_syncs_are_not_work(self):
        prof = FakeProfile([
            FakeKinetoEvent("genbench.step.1", "CPU", 1000, 500),
            FakeKinetoEvent("genbench.step.0", "CPU", 0, 900),
            FakeKinetoEvent("genbench.step.0", "CUDA", 10, 880),  # the range's GPU-side shadow
            FakeKinetoEvent("some annotation", "CUDA", 10, 880, annotation=True),
            FakeKinetoEvent("cudaGraphLaunch", "CPU", 20, 5),
            FakeKinetoEvent("cudaLaunchKernel", "CPU", 1010, 5),
            FakeKinetoEvent("ampere_fp16_gemm", "CUDA", 100, 300),
            FakeKinetoEvent("Stream Sync", "CUDA", 400, 400),
            FakeKinetoEvent("elementwise", "CUDA", 1100, 100),
        ])

        steps, activity, launches = profiling.read_profile(prof)

        self.assertEqual([(0, 900), (1000, 1500)], steps)
        self.assertEqual([(100, 400), (1100, 1200)], activity)
        self.assertEqual([Launches(graphs=1, eager=0), Launches(graphs=0, eager=1)], launches)

    def test_the_real_profiler_result_yields_the_record_function_ranges_in_order(self):
        from torch.profiler import ProfilerActivity, profile, record_function

        with profile(activities=[ProfilerActivity.CPU], **profiling.profiler_options()) as prof:
            for i in range(3):
                with record_function(profiling.STEP_RANGE + str(i)):
                    time.sleep(0.002)

        steps, activity, _ = profiling.read_profile(prof)
        self.assertEqual(3, len(steps))
        self.assertEqual([], activity)
        for (start, end), (next_start, _) in zip(steps, steps[1:]):
            self.assertGreaterEqual(end - start, 1_500_000)  # ns, not us
            self.assertLessEqual(end, next_start)


class FakeCudaTorch:
    """Enough of torch for the step timer on CPU: synchronize is counted, record_function is real."""

    def __init__(self):
        self.syncs = 0
        self.profiler = torch.profiler
        outer = self

        class Cuda:
            @staticmethod
            def synchronize(device=None):
                outer.syncs += 1

        self.cuda = Cuda


class ProfiledIterationTest(unittest.TestCase):

    def scenario(self, case, builder):
        from genbench_worker.backends import ModelCache
        from genbench_worker.scenarios import scenario_for

        loaded, _ = ModelCache(builder).get(case, torch.device("cpu"))
        case = case.resolved("cpu", loaded.family)
        scenario = scenario_for(case, loaded, "cpu")
        scenario.prepare()
        return scenario

    def test_each_denoising_step_of_the_profiled_iteration_is_one_synchronised_range(self):
        scenario = self.scenario(make_case(steps=5), FakeBuilder())
        fake = FakeCudaTorch()
        timer = profiling._StepTimer(fake, "cpu", scenario.profiled_phase)
        scenario.clock = profiling._StepClock(timer)

        result = scenario.iterate()

        self.assertEqual(5, len(timer.host_ns))
        self.assertEqual(10, fake.syncs)  # one before each step's range, one at its end
        self.assertEqual(([0] * 5, 0), (result.step_ns, result.e2e_ns))

    def test_each_llm_decode_step_is_a_range_and_prefill_is_not(self):
        case = make_case(id="opt", model="fake/opt", batch_size=2, prompt_tokens=8, output_tokens=4)
        scenario = self.scenario(case, FakeBuilder(make=lambda c, d: FakeLM(), family="opt"))
        timer = profiling._StepTimer(FakeCudaTorch(), "cpu", scenario.profiled_phase)
        scenario.clock = profiling._StepClock(timer)

        scenario.iterate()

        self.assertEqual(3, len(timer.host_ns))

    def test_a_profiler_failure_returns_nothing_and_restores_the_scenario(self):
        scenario = self.scenario(make_case(), FakeBuilder())
        clock = scenario.clock

        def explode():
            raise RuntimeError("CUPTI_ERROR_NOT_INITIALIZED")

        scenario.iterate = explode

        self.assertIsNone(profiling.profile_iteration(scenario, torch.device("cuda"), "step"))
        self.assertIs(clock, scenario.clock)

    def test_a_cpu_case_is_not_profiled(self):
        ok, events = run(make_case())

        self.assertTrue(ok)
        self.assertNotIn("profile", types(events))


if __name__ == "__main__":
    unittest.main()
