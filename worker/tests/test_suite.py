"""`python3 -m genbench_worker.suite`: every experiment under torchrun, gloo, 2 CPU processes, tiny sizes.

Each test starts PyTorch's own launcher on loopback (127.0.0.1, a free port) exactly as `genbench suite
--simulate` does, reads rank 0's events from stdout and asserts the experiment's own correctness checks and the
figures it must produce.
"""

import json
import os
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


def suite(experiment, nproc=2, timeout=120, **config):
    """Runs one experiment; returns (exit code, events as dicts, stderr)."""
    env = dict(os.environ, PYTHONPATH=SRC, OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "genbench_worker.suite.torchrun", "--nproc_per_node", str(nproc),
           "--master_addr", "127.0.0.1", "--master_port", str(free_port()),
           "-m", "genbench_worker.suite", experiment, "--simulate", "--config", json.dumps(config)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    events = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return p.returncode, events, p.stderr


def records(events, kind):
    return [e["data"] for e in events if e["type"] == "record" and e["kind"] == kind]


class SuiteWireTest(unittest.TestCase):
    def test_rank_zero_alone_writes_hello_start_records_and_done(self):
        code, events, err = suite("collectives", operations=["broadcast"], min_bytes=64, max_bytes=64)

        self.assertEqual(code, 0, err[-2000:])
        self.assertEqual([e["type"] for e in events], ["hello", "suite_start", "record", "suite_done"])
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
