"""The median interval, the stop rule and the load meter: the same numbers as the Java side's MedianIntervalTest,
MeasureStopTest and LoadMeterTest, so the worker and the in-JVM backend stop and report alike."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from genbench_worker.measure.load import LoadMeter  # noqa: E402
from genbench_worker.measure.steady import lower_rank, measure_done, median_interval  # noqa: E402

S = 1_000_000_000


class MedianIntervalTest(unittest.TestCase):

    def test_the_lower_rank_is_the_binomial_tables_at_95_percent(self):
        self.assertEqual([0, 1, 2, 6, 40], [lower_rank(n) for n in (5, 6, 10, 20, 100)])

    def test_the_interval_runs_between_the_order_statistics_around_the_nearest_rank_median(self):
        i = median_interval([109, 101, 105, 100, 108, 103, 102, 107, 104, 106])

        self.assertEqual((104, 101, 108), (i.median_ns, i.low_ns, i.high_ns))
        self.assertAlmostEqual(4 / 104, i.half_width())

    def test_fewer_than_six_samples_have_no_interval(self):
        self.assertIsNone(median_interval([1, 2, 3, 4, 5]))

    def test_a_few_preempted_iterations_move_the_interval_by_a_rank_not_the_median(self):
        samples = [300 if k % 13 == 5 else 99 + k % 3 for k in range(40)]

        i = median_interval(samples)

        self.assertTrue(i.within(3))
        self.assertFalse(i.within(0.5))


class MeasureDoneTest(unittest.TestCase):

    def run_rule(self, e2e, **rule):
        times, elapsed = [], 0
        while not measure_done(times, elapsed, **rule):
            t = e2e(len(times))
            times.append(t)
            elapsed += t
        return len(times)

    def rule(self, **overrides):
        values = dict(min_iterations=2, max_iterations=100, min_duration_s=0.0, max_measure_s=1000.0, target_ci_pct=3.0)
        values.update(overrides)
        return values

    def test_a_steady_median_stops_as_soon_as_it_has_an_interval(self):
        self.assertEqual(6, self.run_rule(lambda i: S, **self.rule()))

    def test_min_duration_is_waited_for(self):
        self.assertEqual(10, self.run_rule(lambda i: S, **self.rule(min_duration_s=10.0)))

    def test_the_budget_stops_a_median_that_never_settles(self):
        self.assertEqual(9, self.run_rule(lambda i: (1 + i % 7) * S,
                                          **self.rule(min_iterations=3, max_iterations=1000, max_measure_s=30.0,
                                                      target_ci_pct=1.0)))

    def test_the_minimum_count_runs_whatever_the_budget(self):
        self.assertEqual(4, self.run_rule(lambda i: 5 * S, **self.rule(min_iterations=4, max_measure_s=1e-9)))


class LoadMeterTest(unittest.TestCase):

    def write(self, proc, user, idle, steal, self_utime, loadavg):
        os.makedirs(os.path.join(proc, "self"), exist_ok=True)
        with open(os.path.join(proc, "stat"), "w") as f:
            f.write("cpu  %d 0 0 %d 0 0 0 %d 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\ncpu1 1 0 0 1 0 0 0 0 0 0\nintr 0\n"
                    % (user, idle, steal))
        with open(os.path.join(proc, "self", "stat"), "w") as f:
            f.write("4242 (python3 (x)) S 1 4242 4242 0 -1 4194560 1 0 0 0 %d 0 0 0 20 0 30 0 1 1 1\n" % self_utime)
        with open(os.path.join(proc, "loadavg"), "w") as f:
            f.write("%s 1.00 0.50 3/400 4242\n" % loadavg)

    def test_other_processes_share_is_the_machines_busy_time_less_ours_and_steal(self):
        with tempfile.TemporaryDirectory() as proc:
            clock = iter([0, 5 * S])
            self.write(proc, 1000, 1000, 0, 500, "0.10")
            meter = LoadMeter(proc, now_ns=lambda: next(clock))
            meter.start()
            self.write(proc, 1080, 1100, 20, 550, "1.75")

            load = meter.stop("c")

        self.assertEqual((5 * S, 1.75, 2, 15.0, 10.0, 25.0),
                         (load.window_ns, load.load_avg_1m, load.cpus, load.other_cpu_pct, load.steal_pct,
                          load.self_cpu_pct))

    def test_without_proc_the_figures_are_none_not_zero(self):
        meter = LoadMeter("/nonexistent-proc", now_ns=lambda: 7)
        meter.start()

        load = meter.stop("c")

        self.assertEqual((None, None, None, None, None), (load.load_avg_1m, load.cpus, load.other_cpu_pct,
                                                          load.steal_pct, load.self_cpu_pct))


if __name__ == "__main__":
    unittest.main()
