"""`python3 -m genbench_worker`: the whole worker as the controller starts it."""

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "src"))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
JOB = os.path.join(REPO, "protocol", "fixtures", "job.json")
sys.path.insert(0, SRC)
sys.path.insert(0, HERE)

from genbench_worker import __main__ as worker_main  # noqa: E402
from genbench_worker import __version__  # noqa: E402
from genbench_worker.backends import ModelCache  # noqa: E402
from genbench_worker.protocol import PHASES, parse_event  # noqa: E402
from genbench_worker.recording import RecordingStream  # noqa: E402
from test_scenarios import FakeBuilder  # noqa: E402


def registry_missing():
    try:
        from genbench_worker.models import registry  # noqa: F401
        return None
    except ImportError as e:
        return "genbench_worker.models.registry is not importable yet: %s" % e


def worker(*args, timeout=120, **kwargs):
    env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_DEVICE="cpu", GENBENCH_PYCACHE="off")  # never the real home
    return subprocess.run([sys.executable, "-m", "genbench_worker", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, **kwargs)


from genbench_worker.case import place  # noqa: E402


def fixture_case(**overrides):
    with open(JOB) as f:
        case = json.load(f)["cases"][0]
    return place(case, **overrides)


class WorkerProcessTest(unittest.TestCase):

    def test_the_fixture_job_emits_the_protocol_sequence_and_nothing_else_on_stdout(self):
        reason = registry_missing()
        if reason:
            self.skipTest(reason)

        out = worker("--job", JOB)

        self.assertEqual(0, out.returncode, out.stderr[-3000:])
        lines = out.stdout.splitlines()
        events = [parse_event(line) for line in lines]  # every line is one valid JSON event
        kinds = [e["type"] for e in events]
        warmed = kinds.index("warmed")
        self.assertEqual(["hello", "loaded"], kinds[:2])
        first_warmup = warmed - events[warmed]["iterations"]
        self.assertEqual(["warmup"] * events[warmed]["iterations"], kinds[first_warmup:warmed])
        self.assertEqual(2, first_warmup)  # nothing between the model and its warm-up: the FLOP count comes after
        self.assertGreaterEqual(events[warmed]["iterations"], 1)
        tail = ["load", "memory", "done"] if "flops" not in kinds else ["load", "flops", "memory", "done"]
        self.assertEqual(tail, kinds[-len(tail):])  # counted only where torch >= 2.1
        self.assertEqual(list(PHASES), list(events[-1]["phases"]))  # every phase ran, in this order
        samples = kinds[warmed + 1:-len(tail)]
        self.assertGreaterEqual(len(samples), 2)
        self.assertEqual({"sample"}, set(samples))
        self.assertEqual("cpu", events[0]["device"])
        for e in events[warmed + 1:-3]:
            self.assertEqual(3, len(e["step_ns"]))

    def test_version_prints_the_worker_version(self):
        out = worker("--version")

        self.assertEqual(0, out.returncode)
        self.assertEqual(__version__, out.stdout.strip())

    def test_list_models_prints_the_catalog_with_parameter_counts(self):
        reason = registry_missing()
        if reason:
            self.skipTest(reason)

        out = worker("--list-models")

        self.assertEqual(0, out.returncode, out.stderr[-3000:])
        models = {m["id"]: m for m in json.loads(out.stdout)["models"]}
        sd = models["stabilityai/stable-diffusion-2-1"]
        self.assertEqual("sd", sd["family"])
        self.assertEqual(sum(sd["components"].values()), sd["parameters"])
        self.assertGreater(sd["parameters"], 800_000_000)

    def test_a_bad_job_exits_2_with_the_reason_on_stderr_and_no_events(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"protocol": 1, "cases": [fixture_case(batchsize=1)]}, f)
        try:
            out = worker("--job", f.name)
        finally:
            os.unlink(f.name)

        self.assertEqual(2, out.returncode)
        self.assertEqual("", out.stdout)
        self.assertIn("batchsize", out.stderr)

    def test_sigterm_ends_the_running_case_with_failed_infrastructure_and_done(self):
        reason = registry_missing()
        if reason:
            self.skipTest(reason)
        case = fixture_case(min_iterations=1, max_iterations=100000, min_duration_s=300.0)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"protocol": 1, "cases": [case]}, f)
        env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_DEVICE="cpu", GENBENCH_PYCACHE="off")  # never the real home
        proc = subprocess.Popen([sys.executable, "-m", "genbench_worker", "--job", f.name], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, env=env)
        # readline blocks: a worker that hangs before its first sample is killed rather than hanging the suite
        guard = threading.Timer(120, proc.kill)
        guard.start()
        try:
            lines = []
            while True:
                line = proc.stdout.readline()
                lines.append(line)
                if not line or '"type":"sample"' in line:
                    break
            proc.send_signal(signal.SIGTERM)
            rest, _ = proc.communicate(timeout=60)
        finally:
            guard.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.unlink(f.name)

        events = [parse_event(line) for line in lines + rest.splitlines() if line.strip()]
        self.assertEqual(["failed", "done"], [e["type"] for e in events[-2:]])
        self.assertEqual("infrastructure", events[-2]["kind"])
        self.assertIn("SIGTERM", events[-2]["message"])
        self.assertEqual(143, proc.returncode)


class KeptWorkerProcessTest(unittest.TestCase):

    def test_a_kept_worker_says_hello_once_runs_each_job_from_stdin_and_exits_0_at_eof(self):
        reason = registry_missing()
        if reason:
            self.skipTest(reason)
        env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_DEVICE="cpu", GENBENCH_PYCACHE="off")  # never the real home

        out = subprocess.run([sys.executable, "-m", "genbench_worker", "--jobs-stdin"], input="%s\n%s\n" % (JOB, JOB),
                             capture_output=True, text=True, env=env, timeout=240)

        self.assertEqual(0, out.returncode, out.stderr[-3000:])
        events = [parse_event(line) for line in out.stdout.splitlines()]
        kinds = [e["type"] for e in events]
        self.assertEqual(1, kinds.count("hello"))
        self.assertIsInstance(events[0]["pid"], int)
        dones = [e for e in events if e["type"] == "job_done"]
        self.assertEqual([(JOB, 1), (JOB, 2)], [(e["job"], e["jobs"]) for e in dones])
        self.assertEqual("job_done", kinds[-1])
        # the second job found the first job's model built: the cache lives as long as the worker
        loaded = [e for e in events if e["type"] == "loaded"]
        self.assertEqual(2, len(loaded))
        self.assertFalse(loaded[0].get("reused"))
        self.assertTrue(loaded[1]["reused"])
        self.assertEqual(loaded[0]["load_ns"], loaded[1]["load_ns"])
        self.assertIn("genbench_worker: end of job 2", out.stderr)


    def test_sigterm_to_an_idle_kept_worker_exits_143(self):
        env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_DEVICE="cpu", GENBENCH_PYCACHE="off")  # never the real home
        proc = subprocess.Popen([sys.executable, "-m", "genbench_worker", "--jobs-stdin"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        guard = threading.Timer(120, proc.kill)
        guard.start()
        try:
            hello = proc.stdout.readline()  # it waits on stdin for its first job now
            proc.send_signal(signal.SIGTERM)
            rest, _ = proc.communicate(timeout=60)
        finally:
            guard.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()

        self.assertEqual("hello", parse_event(hello)["type"])
        self.assertEqual("", rest.strip())
        self.assertEqual(143, proc.returncode)


class InProcessTest(unittest.TestCase):

    def write_job(self, cases):
        f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        with f:
            json.dump({"protocol": 1, "cases": cases}, f)
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_a_failing_case_does_not_stop_the_job_and_the_exit_code_is_0(self):
        job = self.write_job([
            fixture_case(id="graphs", model="fake/sd", cuda_graphs=True, tiny=False),
            fixture_case(id="plain", model="fake/sd", tiny=False),
        ])
        events = RecordingStream()

        code = worker_main.main(["--job", job, "--device", "cpu"], events=events, cache=ModelCache(FakeBuilder()))

        kinds = [(e["type"], e.get("case_id")) for e in events.dicts()]
        self.assertEqual(0, code)
        self.assertEqual(("hello", None), kinds[0])
        self.assertEqual([("done", "graphs"), ("done", "plain")], [k for k in kinds if k[0] == "done"])
        self.assertIn(("failed", "graphs"), kinds)
        self.assertNotIn(("failed", "plain"), kinds)

    def test_jobs_on_stdin_share_one_model_cache_and_each_ends_with_job_done(self):
        first = self.write_job([fixture_case(id="a", model="fake/sd", tiny=False)])
        second = self.write_job([fixture_case(id="b", model="fake/sd", tiny=False, batch_size=2)])
        other = self.write_job([fixture_case(id="c", model="fake/sd", tiny=False, precision="bfloat16")])
        builder = FakeBuilder()
        events = RecordingStream()

        code = worker_main.main(["--jobs-stdin", "--device", "cpu"], events=events, cache=ModelCache(builder),
                                stdin=io.StringIO("%s\n\n%s\n%s\n" % (first, second, other)))

        kinds = [(e["type"], e.get("case_id") or e.get("job")) for e in events.dicts()]
        self.assertEqual(0, code)
        self.assertEqual([("hello", None), ("done", "a"), ("job_done", first), ("done", "b"), ("job_done", second),
                          ("done", "c"), ("job_done", other)],
                         [k for k in kinds if k[0] in ("hello", "done", "job_done")])
        # a and b share the build key: one build across the two jobs; c's precision needs its own
        self.assertEqual(2, builder.builds)
        self.assertEqual([False, True, False], [e["reused"] for e in events.dicts() if e["type"] == "loaded"])
        self.assertEqual([1, 2, 3], [e["jobs"] for e in events.dicts() if e["type"] == "job_done"])

    def test_an_unreadable_job_on_stdin_is_a_job_done_with_its_error_and_the_worker_goes_on(self):
        good = self.write_job([fixture_case(id="a", model="fake/sd", tiny=False)])
        events = RecordingStream()

        code = worker_main.main(["--jobs-stdin", "--device", "cpu"], events=events, cache=ModelCache(FakeBuilder()),
                                stdin=io.StringIO("/nonexistent/job.json\n%s\n" % good))

        dones = [e for e in events.dicts() if e["type"] == "job_done"]
        self.assertEqual(0, code)
        self.assertEqual(["/nonexistent/job.json", good], [e["job"] for e in dones])
        self.assertEqual(0, dones[0]["cases"])
        self.assertIn("/nonexistent/job.json", dones[0]["error"])
        self.assertNotIn("error", dones[1])
        self.assertIn(("done", "a"), [(e["type"], e.get("case_id")) for e in events.dicts()])

    def test_job_and_jobs_stdin_exclude_each_other(self):
        with self.assertRaises(SystemExit) as e:
            worker_main.parse_args(["--job", JOB, "--jobs-stdin"])
        self.assertEqual(2, e.exception.code)

    def test_an_unknown_device_is_a_usage_error(self):
        job = self.write_job([fixture_case()])

        code = worker_main.main(["--job", job, "--device", "tpu"], events=RecordingStream())

        self.assertEqual(2, code)

    def test_a_genbench_build_naming_no_mode_is_a_usage_error_before_any_case(self):
        job = self.write_job([fixture_case()])
        events = RecordingStream()
        err = io.StringIO()
        with mock.patch.dict(os.environ, {"GENBENCH_BUILD": "fast"}), contextlib.redirect_stderr(err):
            code = worker_main.main(["--job", job, "--device", "cpu"], events=events)

        self.assertEqual(2, code)
        self.assertIn("GENBENCH_BUILD=fast (environment): use direct or meta", err.getvalue())
        self.assertEqual([], [e["type"] for e in events.dicts()])

    def test_the_log_says_how_the_model_was_built(self):
        job = self.write_job([fixture_case()])
        for mode in ("direct", "meta"):
            err = io.StringIO()
            with mock.patch.dict(os.environ, {"GENBENCH_BUILD": mode}), contextlib.redirect_stderr(err):
                code = worker_main.main(["--job", job, "--device", "cpu"], events=RecordingStream())
            self.assertEqual(0, code)
            self.assertRegex(err.getvalue(), r"genbench_worker: built \S+ by %s construction in \d+\.\d\d s" % mode)


if __name__ == "__main__":
    unittest.main()
