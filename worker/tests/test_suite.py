"""`python3 -m genbench_worker.suite`: every experiment under torchrun, gloo, 2 CPU processes, tiny sizes.

Each test starts PyTorch's own launcher on loopback (127.0.0.1, a free port) exactly as `genbench suite
--simulate` does, reads rank 0's events from stdout and asserts the experiment's own correctness checks and the
figures it must produce.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "src"))
sys.path.insert(0, SRC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hung(AssertionError):
    """The launch ran past its hard timeout: its whole process group was killed (a deadlock fails, never hangs)."""


def suite(experiment, nproc=2, timeout=120, **config):
    """Runs one experiment; returns (exit code, events as dicts, stderr). Past `timeout` the launcher and every rank
    (one process group) are killed and :class:`Hung` is raised."""
    env = dict(os.environ, PYTHONPATH=SRC, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "genbench_worker.suite.torchrun", "--nproc_per_node", str(nproc),
           "--master_addr", "127.0.0.1", "--master_port", str(free_port()),
           "-m", "genbench_worker.suite", experiment, "--simulate", "--config", json.dumps(config)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        raise Hung("%s with %d processes ran past %d s (killed); stderr tail:\n%s" % (experiment, nproc, timeout,
                                                                                     err[-2000:]))
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    return p.returncode, events, err


def records(events, kind):
    return [e["data"] for e in events if e["type"] == "record" and e["kind"] == kind]


class SuiteWireTest(unittest.TestCase):
    def test_rank_zero_alone_writes_hello_start_records_and_done(self):
        code, events, err = suite("collectives", operations=["broadcast"], min_bytes=64, max_bytes=64)

        self.assertEqual(code, 0, err[-2000:])
        self.assertEqual([e["type"] for e in events], ["hello", "suite_start", "record", "record", "suite_done"])
        pre = records(events, "preflight")[0]
        self.assertEqual((pre["world_size"], pre["backend"]), (2, "gloo"))
        self.assertIsNone(pre["min_link_peak_gb_s"])  # no GPU link known: nothing to judge against, not a guess
        self.assertEqual(events[2]["kind"], "preflight")  # before the experiment's own records
        self.assertEqual(events[1]["world_size"], 2)
        self.assertEqual(events[1]["backend"], "gloo")

    def test_an_unknown_experiment_exits_2_naming_the_choices(self):
        env = dict(os.environ, PYTHONPATH=SRC)
        p = subprocess.run([sys.executable, "-m", "genbench_worker.suite", "nope"], capture_output=True, text=True,
                           env=env, timeout=60)

        self.assertEqual(p.returncode, 2)
        self.assertIn("collectives", p.stderr)
        self.assertEqual(p.stdout, "")


class CollectivesTest(unittest.TestCase):
    def test_every_operation_at_every_size_is_correct(self):
        code, events, err = suite("collectives", min_bytes=64, max_bytes=4096, factor=8, iterations=2, warmup=1)

        self.assertEqual(code, 0, err[-2000:])
        rows = records(events, "collective")
        ops = {r["operation"] for r in rows}
        self.assertEqual(ops, {"all_reduce", "all_gather", "reduce_scatter", "broadcast", "all_to_all", "send_recv"})
        self.assertEqual(len(rows), 6 * 3)
        self.assertTrue(all(r["correct"] for r in rows), [r for r in rows if not r["correct"]])
        self.assertTrue(all(r["time_ns"] > 0 and r["bytes"] % 8 == 0 for r in rows))
        self.assertTrue(events[-1]["correct"])

    def test_sizes_are_whole_elements_divisible_by_the_world(self):
        from genbench_worker.suite.collectives import sizes

        self.assertEqual(sizes(4, 64, 2, 2), [8, 16, 32, 64])
        self.assertEqual(sizes(12, 200, 4, 3), [12, 48, 192])


if __name__ == "__main__":
    unittest.main()


TOPO_H200 = """\tGPU0\tGPU1\tGPU2\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
GPU0\t X \tNV18\tSYS\t0-47\t0\t\tN/A
GPU1\tNV18\t X \tPIX\t0-47\t0\t\tN/A
GPU2\tSYS\tPIX\t X \t48-95\t1\t\tN/A

Legend:

  X    = Self
  NV#  = Connection traversing a bonded set of # NVLinks
"""


class BandwidthTest(unittest.TestCase):
    def test_every_pair_both_directions_is_measured_and_correct_with_the_seed_summary_keys(self):
        code, events, err = suite("bandwidth", max_bytes=1024, iterations=2, warmup=1)

        self.assertEqual(code, 0, err[-2000:])
        rows = records(events, "transfer")
        self.assertEqual({(r["src"], r["dst"], r["direction"]) for r in rows},
                         {(0, 1, "one"), (1, 0, "one"), (0, 1, "both")})
        self.assertEqual(sorted({r["bytes"] for r in rows}), [4, 64, 1024])
        self.assertTrue(all(r["correct"] for r in rows))
        summary = records(events, "bandwidth_summary")[0]
        self.assertGreater(summary["peak_bandwidth_gb_s"], 0)
        self.assertGreater(summary["latency_microseconds"], 0)
        self.assertIn("efficiency_percent", summary)
        self.assertIsNone(summary["efficiency_percent"])  # no NVLink known on CPU: no efficiency, not a guess

    def test_both_ways_with_2_and_3_processes_finishes_under_a_hard_timeout_and_every_buffer_is_right(self):
        for nproc in (2, 3):
            code, events, err = suite("bandwidth", nproc=nproc, timeout=150, max_bytes=1 << 16, factor=256,
                                      iterations=2, warmup=1)

            self.assertEqual(code, 0, err[-2000:])
            rows = records(events, "transfer")
            both = {(r["src"], r["dst"]) for r in rows if r["direction"] == "both"}
            self.assertEqual(both, {(a, b) for a in range(nproc) for b in range(a + 1, nproc)})
            one = {(r["src"], r["dst"]) for r in rows if r["direction"] == "one"}
            self.assertEqual(len(one), nproc * (nproc - 1))
            self.assertEqual(sorted({r["bytes"] for r in rows}), [4, 1024])
            self.assertTrue(all(r["correct"] for r in rows), [r for r in rows if not r["correct"]])
            self.assertEqual({r["iterations"] for r in rows}, {2})  # the cap, agreed by every rank

    def test_each_end_posts_its_send_and_receive_in_one_batch_and_outsiders_post_nothing(self):
        import torch
        import torch.distributed as dist
        from genbench_worker.suite.bandwidth import steps, transfer_ops

        a, b = torch.zeros(4, dtype=torch.uint8), torch.zeros(4, dtype=torch.uint8)
        both0 = transfer_ops(0, 0, 1, True, a, b)
        both1 = transfer_ops(1, 0, 1, True, a, b)
        self.assertEqual([(o.op, o.peer) for o in both0], [(dist.isend, 1), (dist.irecv, 1)])
        self.assertEqual([(o.op, o.peer) for o in both1], [(dist.isend, 0), (dist.irecv, 0)])
        self.assertEqual([o.op for o in transfer_ops(2, 0, 1, True, a, b)], [])
        self.assertEqual([o.op for o in transfer_ops(1, 1, 2, False, a, b)], [dist.isend])
        self.assertEqual([o.op for o in transfer_ops(2, 1, 2, False, a, b)], [dist.irecv])
        self.assertEqual(len(steps(3)), 3 * 2 + 3)
        self.assertEqual(steps(2), [(0, 1, False), (0, 1, True), (1, 0, False)])

    def test_fill_repeats_a_251_byte_period(self):
        from genbench_worker.suite.bandwidth import fill

        x = fill(600, "cpu", 5)
        self.assertEqual(int(x[0]), 5)
        self.assertEqual(int(x[250]), (250 + 5) % 251)
        self.assertEqual(int(x[251]), 5)
        self.assertEqual(x.numel(), 600)

    def test_preflight_summarises_links_peer_access_and_nccl_settings(self):
        from genbench_worker.suite.bandwidth import parse_topo
        from genbench_worker.suite.preflight import nccl_env, summary

        links = parse_topo(TOPO_H200)
        two = summary(2, links, 9, lambda i, j: True)
        self.assertEqual(two["min_link_peak_gb_s"], 450.0)
        self.assertEqual(two["links"], "NV18")
        three = summary(3, links, 9, lambda i, j: i != 2)
        self.assertIsNone(three["min_link_peak_gb_s"])  # PIX / SYS pairs: peak unknown, so no minimum
        self.assertEqual(three["links"], "NV18,PIX,SYS")
        self.assertEqual([p["peer_access"] for p in three["pairs"] if p["src"] == 2], [False, False])
        self.assertEqual(nccl_env({"NCCL_NVLS_ENABLE": "0", "TORCH_NCCL_BLOCKING_WAIT": "1", "PATH": "/bin"}),
                         {"NCCL_NVLS_ENABLE": "0", "TORCH_NCCL_BLOCKING_WAIT": "1"})

    def test_topology_ignores_the_terminal_underline_nvidia_smi_writes_into_a_pipe(self):
        from genbench_worker.suite.bandwidth import parse_topo
        from genbench_worker.suite.preflight import summary

        # as captured on the 2 x H200 host, 2026-11-30 (nvidia-smi 580.159.04): ESC[4m ... ESC[0m around the header
        captured = ("\t\x1b[4mGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\x1b[0m\n"
                    "GPU0\t X \tNV18\t0-31\t0\t\tN/A\nGPU1\tNV18\t X \t0-31\t0\t\tN/A\n\nLegend:\n")

        links = parse_topo(captured)

        self.assertEqual(links, {(0, 1): "NV18", (1, 0): "NV18"})
        self.assertEqual(summary(2, links, 9, lambda i, j: True)["min_link_peak_gb_s"], 450.0)

    def test_topology_gives_nvlink_peaks_and_nothing_for_other_links(self):
        from genbench_worker.suite.bandwidth import link_peak_gb_s, parse_topo

        links = parse_topo(TOPO_H200)

        self.assertEqual(links[(0, 1)], "NV18")
        self.assertEqual(links[(1, 2)], "PIX")
        self.assertEqual(links[(2, 0)], "SYS")
        self.assertEqual(link_peak_gb_s(links[(0, 1)], 9), 450.0)
        self.assertEqual(link_peak_gb_s("NV4", 6), 80.0)
        self.assertIsNone(link_peak_gb_s(links[(1, 2)], 9))
        self.assertIsNone(link_peak_gb_s(None, 9))


class PipelineDiffusionTest(unittest.TestCase):
    def test_the_pipelined_latents_equal_the_one_process_run_with_the_same_seed(self):
        import torch

        with tempfile.TemporaryDirectory() as tmp:
            one, two = os.path.join(tmp, "one.pt"), os.path.join(tmp, "two.pt")
            code1, events1, err1 = suite("pipeline-diffusion", nproc=1, output_path=one, seed=3, num_samples=2,
                                         warmup_samples=0)
            code2, events2, err2 = suite("pipeline-diffusion", nproc=2, output_path=two, seed=3, num_samples=2,
                                         warmup_samples=0)

            self.assertEqual(code1, 0, err1[-2000:])
            self.assertEqual(code2, 0, err2[-2000:])
            a, b = torch.load(one), torch.load(two)
        self.assertEqual(tuple(a.shape), (2, 1, 2, 4, 8, 8))  # samples, then the UNet's [B, F, C, H, W]
        self.assertTrue(torch.equal(a, b))
        self.assertFalse(torch.equal(a[0], a[1]))  # each sample has its own noise: equality is not trivial
        self.assertTrue(torch.isfinite(a).all())

        pipe = records(events2, "pipeline")[0]
        self.assertEqual((pipe["gpu_count"], pipe["steps_per_gpu"], pipe["num_samples"]), (2, 2, 2))
        self.assertTrue(pipe["correct"])
        self.assertGreaterEqual(pipe["total_time_sec"], pipe["fill_time_sec"])
        self.assertAlmostEqual(pipe["per_sample_sec"], pipe["total_time_sec"] / 2)
        stages = records(events2, "stage")
        self.assertEqual([(s["stage"], s["first_step"], s["last_step"]) for s in stages], [(0, 0, 1), (1, 2, 3)])

    def test_total_steps_that_do_not_divide_by_the_gpu_count_fail_naming_both(self):
        code, events, _ = suite("pipeline-diffusion", total_steps=3)

        self.assertEqual(code, 1)
        self.assertIn("does not divide by 2", events[-1]["message"])


class TensorParallelTest(unittest.TestCase):
    def test_tp2_computes_what_tp1_computes_within_float_tolerance(self):
        import torch

        with tempfile.TemporaryDirectory() as tmp:
            one, two = os.path.join(tmp, "one.pt"), os.path.join(tmp, "two.pt")
            code1, events1, err1 = suite("tp", nproc=1, output_path=one, iterations=1, warmup=0)
            code2, events2, err2 = suite("tp", nproc=2, output_path=two, iterations=1, warmup=0)

            self.assertEqual(code1, 0, err1[-2000:])
            self.assertEqual(code2, 0, err2[-2000:])
            a, b = torch.load(one), torch.load(two)
        self.assertTrue(torch.allclose(a["logits"], b["logits"], rtol=1e-4, atol=1e-5))
        self.assertTrue(torch.equal(a["tokens"], b["tokens"]))
        row = records(events2, "tp")[0]
        self.assertEqual((row["tp_size"], row["all_reduces_per_forward"]), (2, 16))  # tiny OPT: 8 layers, 2 halves each
        self.assertTrue(row["correct"] and row["tokens_match"])
        self.assertGreater(row["collective_share"], 0)
        self.assertLess(row["collective_share"], 1)
        self.assertGreater(row["decode_tokens_per_s"], 0)


    def test_tp4_as_on_a_4_gpu_host_computes_what_tp1_computes(self):
        import torch

        with tempfile.TemporaryDirectory() as tmp:
            one, four = os.path.join(tmp, "one.pt"), os.path.join(tmp, "four.pt")
            code1, _, err1 = suite("tp", nproc=1, output_path=one, iterations=1, warmup=0)
            code4, events4, err4 = suite("tp", nproc=4, timeout=240, output_path=four, iterations=1, warmup=0)

            self.assertEqual(code1, 0, err1[-2000:])
            self.assertEqual(code4, 0, err4[-2000:])
            a, b = torch.load(one), torch.load(four)
        self.assertTrue(torch.allclose(a["logits"], b["logits"], rtol=1e-4, atol=1e-5))
        self.assertTrue(torch.equal(a["tokens"], b["tokens"]))
        self.assertEqual(records(events4, "tp")[0]["tp_size"], 4)


class SequenceScalingTest(unittest.TestCase):
    def test_every_cell_is_measured_or_a_finding_and_each_curve_gets_a_knee_record(self):
        code, events, err = suite("seq-scaling", nproc=1, sequence_lengths=[8, 16, 510], batch_sizes=[1, 2],
                                  oom_above_tokens=20, samples=1, warmup=0)

        self.assertEqual(code, 0, err[-2000:])  # out of memory is a finding, not a failure
        self.assertTrue(events[-1]["correct"])
        cells = {(r["batch_size"], r["sequence_length"]): r for r in records(events, "seq")}
        self.assertEqual(len(cells), 6)
        self.assertEqual(cells[(1, 16)]["status"], "ok")
        self.assertGreater(cells[(1, 16)]["prefill_ms"], 0)
        self.assertGreater(cells[(1, 16)]["decode_tokens_per_s"], 0)
        self.assertAlmostEqual(cells[(1, 16)]["prefill_us_per_token"], cells[(1, 16)]["prefill_ms"] * 1000 / 16)
        self.assertEqual(cells[(2, 16)]["status"], "oom")  # 32 tokens > 20
        self.assertIn("out of memory", cells[(2, 16)]["reason"])
        self.assertEqual(cells[(1, 510)]["status"], "unsupported")  # tiny OPT: 512 positions < 510 + 4
        self.assertIn("512 positions", cells[(1, 510)]["reason"])
        knees = {r["batch_size"]: r for r in records(events, "seq_knee")}
        self.assertEqual(set(knees), {1, 2})
        self.assertEqual(knees[2]["memory_limit_length"], 16)
        self.assertEqual(knees[1]["longest_measured_length"], 16)
        lo, hi = cells[(1, 16)]["prefill_us_per_token_range"]
        self.assertLessEqual(lo, hi)
        self.assertIsNone(knees[1]["prefill_knee_length"])  # one sample per cell: no knee rests on unmeasured noise

    def test_the_knee_is_the_first_length_whose_per_token_latency_grows_past_the_factor(self):
        from genbench_worker.suite.seq_scaling import knee

        lengths = [128, 256, 512, 1024, 2048]
        self.assertEqual(knee(lengths, [4.0, 2.0, 1.0, 1.05, 1.6], 1.1), 2048)  # 1.05 is within 10 %
        self.assertEqual(knee(lengths, [4.0, 2.0, 1.0, 1.2, 3.0], 1.1), 1024)
        self.assertIsNone(knee(lengths, [4.0, 2.0, 1.0, 1.0, None], 1.1))
        self.assertEqual(knee(lengths, [100.0, 98.0, 80.0, 40.0, 20.0], 1.1, falling=True), 512)

    def test_a_knee_is_made_only_when_it_stands_out_of_the_cells_noise_and_lasts(self):
        from genbench_worker.suite.seq_scaling import knee

        lengths = [256, 512, 1024]
        # the H200's opt-125m b1 curve: 290.7 -> 207 -> 248.2 tokens/s; 1024 comes back 20 % above 512 ...
        tps = [290.7, 207.0, 248.2]
        self.assertEqual(knee(lengths, tps, 1.1, falling=True), 512)  # without ranges: the old, noisy verdict
        wide = [[280.0, 300.0], [150.0, 285.0], [240.0, 255.0]]
        self.assertIsNone(knee(lengths, tps, 1.1, falling=True, ranges=wide))  # overlapping ranges: noise
        tight = [[289.0, 292.0], [205.0, 209.0], [247.0, 249.0]]
        self.assertIsNone(knee(lengths, tps, 1.1, falling=True, ranges=tight))  # ... and 1024 recovers: no knee
        lasting = [290.7, 207.0, 150.0]
        self.assertEqual(knee(lengths, lasting, 1.1, falling=True, ranges=[[289.0, 292.0], [205.0, 209.0], [149.0, 151.0]]), 512)
        single = [[290.7, 290.7], [207.0, 207.0], [150.0, 150.0]]
        self.assertIsNone(knee(lengths, lasting, 1.1, falling=True, ranges=single))  # one sample: noise unmeasured
        rising = [1.0, 1.5, 2.4]
        self.assertEqual(knee(lengths, rising, 1.1, ranges=[[0.9, 1.1], [1.4, 1.6], [2.3, 2.5]]), 512)
        # 256 -> 512 within the noise: the knee is the next step that stands out of it
        self.assertEqual(knee(lengths, rising, 1.1, ranges=[[0.9, 1.45], [1.4, 1.6], [2.3, 2.5]]), 1024)


class PipelineScheduleTest(unittest.TestCase):
    def test_bubble_ratio_on_a_fake_clock_equals_the_formula_for_gpipe_and_1f1b(self):
        from genbench_worker.suite import schedule

        for stages, micro in [(2, 1), (2, 8), (4, 4), (4, 16), (7, 3)]:
            for name in ("gpipe", "1f1b"):
                timelines = schedule.replay(schedule.make(name, stages, micro), lambda s, op: 1.0)

                self.assertAlmostEqual(schedule.bubble_ratio(timelines), (stages - 1) / (micro + stages - 1),
                                       msg="%s P=%d M=%d" % (name, stages, micro))
            forward_only = schedule.replay(schedule.make("gpipe", stages, micro, backward=False), lambda s, op: 3.0)
            self.assertAlmostEqual(schedule.bubble_ratio(forward_only), schedule.analytic_bubble(stages, micro))

    def test_the_busiest_stage_bubble_is_the_formula_and_imbalance_shows_only_in_the_mean(self):
        from genbench_worker.suite import schedule

        for name in ("gpipe", "1f1b"):
            even = schedule.replay(schedule.make(name, 2, 8), lambda s, op: 1.0)
            self.assertEqual([round(b, 9) for b in schedule.stage_bubbles(even)], [round(1 / 9, 9)] * 2)
            self.assertAlmostEqual(schedule.bottleneck_bubble(even), 1 / 9)
            # the last stage 20 % slower (an LM head): the other idles more, the schedule's own bubble does not grow
            uneven = schedule.replay(schedule.make(name, 2, 8), lambda s, op: 1.2 if s == 1 else 1.0)
            self.assertLessEqual(schedule.bottleneck_bubble(uneven), 1 / 9 + 1e-9, name)
            self.assertGreater(schedule.bubble_ratio(uneven), 1 / 9 + 0.03, name)

    def test_1f1b_keeps_at_most_stages_minus_rank_micro_batches_in_flight(self):
        from genbench_worker.suite import schedule

        for rank, ops in enumerate(schedule.one_f_one_b(4, 8)):
            in_flight, most = 0, 0
            for kind, _ in ops:
                in_flight += 1 if kind == "F" else -1
                most = max(most, in_flight)
            self.assertEqual(most, 4 - rank)
        self.assertEqual([k for k, _ in schedule.gpipe(4, 8)[3]], ["F"] * 8 + ["B"] * 8)


class PipelineOverheadTest(unittest.TestCase):
    def test_both_schedules_record_measured_and_analytic_bubbles_and_outputs_match_the_unsplit_model(self):
        code, events, err = suite("pp-overhead", micro_batches=4, warmup=0)

        self.assertEqual(code, 0, err[-2000:])
        rows = records(events, "pp")
        self.assertEqual([r["schedule"] for r in rows], ["gpipe", "1f1b"])
        for r in rows:
            self.assertAlmostEqual(r["analytic_bubble_ratio"], 1 / 5)
            self.assertGreater(r["pipeline_bubble_ratio"], 0)
            self.assertLess(r["pipeline_bubble_ratio"], 1)
            self.assertEqual(r["messages"], 8)
            self.assertEqual(len(r["stage_busy_ms"]), 2)
            self.assertEqual((r["warmup_batches"], r["repetitions"]), (0, 3))
            self.assertLessEqual(r["bubble_ratio_min"], r["pipeline_bubble_ratio"])
            self.assertLessEqual(r["pipeline_bubble_ratio"], r["bubble_ratio_max"])
            self.assertGreaterEqual(r["stage_balance"], 1.0)
            self.assertEqual(r["timing"], "host")
            self.assertEqual(len(r["stage_bubble_ratios"]), 2)
        self.assertTrue(records(events, "pp_check")[0]["outputs_match_unsplit_model"])
        self.assertTrue(events[-1]["correct"])

    def test_four_stages_as_on_a_4_gpu_host_match_the_unsplit_model(self):
        code, events, err = suite("pp-overhead", nproc=4, timeout=240, micro_batches=8, warmup=0)

        self.assertEqual(code, 0, err[-2000:])
        rows = records(events, "pp")
        for r in rows:
            self.assertEqual(r["pipeline_parallel_size"], 4)
            self.assertAlmostEqual(r["analytic_bubble_ratio"], 3 / 11)
            self.assertEqual(len(r["stage_busy_ms"]), 4)
        self.assertTrue(records(events, "pp_check")[0]["outputs_match_unsplit_model"])
