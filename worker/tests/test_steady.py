"""The steady-state rule on plain sequences, and the warm-up loop that applies it."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from genbench_worker.case import Case  # noqa: E402
from genbench_worker.recording import RecordingStream  # noqa: E402
from genbench_worker.measure.steady import steady_state  # noqa: E402

MS = 1_000_000


def first_steady(times, window=3, tolerance=0.05):
    """How many iterations it takes until the rule holds, or None if it never does."""
    for n in range(1, len(times) + 1):
        if steady_state(times[:n], window, tolerance).steady:
            return n
    return None


class SteadyStateTest(unittest.TestCase):

    def test_slow_first_iterations_then_steady_times_are_steady_once_the_window_is_past_them(self):
        times = [900 * MS, 300 * MS, 101 * MS, 100 * MS, 102 * MS, 100 * MS]

        self.assertEqual(5, first_steady(times))

    def test_times_that_never_settle_are_never_steady(self):
        times = [100 * MS, 130 * MS] * 15

        self.assertIsNone(first_steady(times))
        self.assertAlmostEqual(30 / 130, steady_state(times, 3, 0.05).spread, places=6)

    def test_a_slow_downward_drift_is_not_steady_although_each_step_is_within_tolerance(self):
        # 1.5 % faster every iteration: each neighbour is within the 2 % tolerance, the window of 5 is not
        times = [int(200 * MS * 0.985 ** i) for i in range(20)]

        self.assertIsNone(first_steady(times, window=5, tolerance=0.02))

    def test_one_lucky_fast_iteration_does_not_hold_warm_up_to_its_maximum(self):
        # seen on a busy 2-core machine: one 84 ms iteration, then a steady ~225 ms
        times = [84 * MS, 222 * MS, 230 * MS, 225 * MS]

        self.assertEqual(4, first_steady(times))

    def test_a_tight_window_slower_than_an_earlier_fast_window_is_not_steady(self):
        times = [100 * MS, 100 * MS, 100 * MS, 120 * MS, 120 * MS, 120 * MS]

        verdict = steady_state(times, 3, 0.05)

        self.assertFalse(verdict.steady)
        self.assertEqual(0.0, verdict.spread)

    def test_fewer_times_than_the_window_have_no_spread_and_are_not_steady(self):
        verdict = steady_state([100 * MS, 100 * MS], 3, 0.05)

        self.assertEqual((False, None), (verdict.steady, verdict.spread))

    def test_the_spread_is_the_window_range_over_its_median(self):
        verdict = steady_state([500 * MS, 98 * MS, 100 * MS, 102 * MS], 3, 0.05)

        self.assertTrue(verdict.steady)
        self.assertAlmostEqual(0.04, verdict.spread)


class WarmUpLoopTest(unittest.TestCase):

    def warm(self, times, seconds_each=0.0, cycle=False, **fields):
        from genbench_worker.scenarios import IterationResult, warm_up

        values = dict(id="c", model="fake/sd", warmup_iterations=1, max_warmup_iterations=30, max_warmup_s=60.0,
                      steady_tolerance=0.05, steady_window=3)
        values.update(fields)
        clock = {"now": 0, "runs": 0}

        def iterate():
            clock["now"] += int(seconds_each * 1e9)
            t = times[clock["runs"] % len(times)] if cycle else times[min(clock["runs"], len(times) - 1)]
            clock["runs"] += 1
            return IterationResult(e2e_ns=t)

        events = RecordingStream()
        done = warm_up(Case.build(**values), events, iterate, now_ns=lambda: clock["now"])
        self.first = done.first
        return done.warmed, events.dicts()

    def test_warm_up_stops_at_the_iteration_that_completes_a_steady_window_and_that_one_is_measured(self):
        warmed, events = self.warm([900 * MS, 300 * MS, 101 * MS, 100 * MS, 102 * MS, 100 * MS])

        # 101 and 100 each complete an unsteady window (300 in it); 102 completes [101, 100, 102]: the first sample
        self.assertEqual(["warmup"] * 4 + ["warmed"], [e["type"] for e in events])
        self.assertEqual([0, 1, 2, 3], [e["iteration"] for e in events[:-1]])
        self.assertEqual([900 * MS, 300 * MS, 101 * MS, 100 * MS], [e["e2e_ns"] for e in events[:-1]])
        self.assertEqual((4, True, 3, 0.05), (warmed.iterations, warmed.steady, warmed.window, warmed.tolerance))
        self.assertEqual(102 * MS, self.first.e2e_ns)
        self.assertAlmostEqual(2 / 101, warmed.spread)  # the window [101, 100, 102] the first sample completed

    def test_measuring_begins_with_the_iteration_that_ended_warm_up(self):
        from genbench_worker.scenarios import IterationResult, measure

        times = iter([300 * MS, 101 * MS, 100 * MS, 102 * MS] + [100 * MS] * 20)
        clock = {"now": 0}

        def iterate():
            t = next(times)
            clock["now"] += t
            return IterationResult(e2e_ns=t)

        events = RecordingStream()
        case = Case.build(id="c", model="fake/sd", warmup_iterations=2, min_iterations=5, max_iterations=5,
                          min_duration_s=0.0, steady_window=3, steady_tolerance=0.05)
        n = measure(case, events, iterate, now_ns=lambda: clock["now"])

        kinds = [e["type"] for e in events.dicts()]
        self.assertEqual(["warmup"] * 3 + ["warmed"] + ["sample"] * 5 + ["load"], kinds)
        samples = [e for e in events.dicts() if e["type"] == "sample"]
        self.assertEqual(5, n)
        self.assertEqual([0, 1, 2, 3, 4], [e["iteration"] for e in samples])
        self.assertEqual([102 * MS] + [100 * MS] * 4, [e["e2e_ns"] for e in samples])

    def test_a_case_replayed_from_cuda_graphs_is_steady_after_a_window_of_two_and_says_so(self):
        steady = [101 * MS, 100 * MS, 102 * MS, 100 * MS]
        graphed, events = self.warm(steady, cuda_graphs=True)
        graphed_first = self.first
        eager, _ = self.warm(steady, cuda_graphs=False)

        # one warm-up, then the iteration agreeing with it is measured
        self.assertEqual((1, True, 2), (graphed.iterations, graphed.steady, graphed.window))
        self.assertEqual(events[-1]["window"], 2)
        self.assertEqual(100 * MS, graphed_first.e2e_ns)
        self.assertEqual((2, True, 3), (eager.iterations, eager.steady, eager.window))
        self.assertEqual(102 * MS, self.first.e2e_ns)
        # two that disagree still do not pass: the second is a warm-up too
        unsteady, _ = self.warm([130 * MS, 100 * MS, 101 * MS], cuda_graphs=True)
        self.assertEqual((2, True), (unsteady.iterations, unsteady.steady))
        self.assertEqual(101 * MS, self.first.e2e_ns)
        # a minimum of two is two, graphed or not
        two, _ = self.warm(steady, cuda_graphs=True, warmup_iterations=2)
        self.assertEqual(2, two.iterations)

    def test_unsteady_times_stop_at_the_maximum_count_and_say_so(self):
        warmed, events = self.warm([100 * MS, 130 * MS], cycle=True, max_warmup_iterations=7)

        self.assertEqual((7, False), (warmed.iterations, warmed.steady))
        self.assertEqual(events[-1], warmed.to_dict())
        self.assertGreater(warmed.spread, 0.2)
        self.assertIsNone(self.first)  # measuring begins with a fresh iteration

    def test_unsteady_times_stop_when_the_time_runs_out(self):
        warmed, _ = self.warm([100 * MS, 130 * MS], cycle=True, seconds_each=1.0, max_warmup_s=4.5)

        self.assertEqual((5, False), (warmed.iterations, warmed.steady))

    def test_the_minimum_count_runs_even_past_the_time_limit(self):
        warmed, _ = self.warm([100 * MS], seconds_each=10.0, warmup_iterations=4, max_warmup_s=1.0)

        self.assertEqual((4, True), (warmed.iterations, warmed.steady))
        self.assertIsNone(self.first)  # the time ran out before a fifth was judged

    def test_fewer_minimum_iterations_than_the_window_still_run_a_whole_window(self):
        warmed, _ = self.warm([100 * MS], warmup_iterations=1, steady_window=4)

        self.assertEqual((3, True), (warmed.iterations, warmed.steady))
        self.assertEqual(100 * MS, self.first.e2e_ns)  # the fourth completed the window

    def test_a_maximum_of_zero_means_no_warm_up_at_all(self):
        warmed, events = self.warm([100 * MS], warmup_iterations=0, max_warmup_iterations=0)

        self.assertEqual(["warmed"], [e["type"] for e in events])
        self.assertEqual((0, False, None), (warmed.iterations, warmed.steady, warmed.spread))
        self.assertIsNone(self.first)


if __name__ == "__main__":
    unittest.main()
