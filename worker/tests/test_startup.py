"""The worker's start (startup.py): which device gets an early CUDA context, the context thread against a fake
driver, and the driver version read from /proc."""

import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "src"))
sys.path.insert(0, SRC)

from genbench_worker import startup  # noqa: E402


class FakeDriver:
    """libcuda's four calls the early context makes, recorded; `fail` names one that returns an error."""

    def __init__(self, fail=None):
        self.calls = []
        self.fail = fail

    def _call(self, name, *args):
        self.calls.append(name)
        return 1 if name == self.fail else 0

    def cuInit(self, flags):
        return self._call("cuInit")

    def cuDeviceGet(self, out, ordinal):
        out._obj.value = ordinal.value
        return self._call("cuDeviceGet:%d" % ordinal.value)

    def cuDevicePrimaryCtxRetain(self, out, device):
        return self._call("retain:%d" % device.value)

    def cuDevicePrimaryCtxRelease_v2(self, device):
        return self._call("release:%d" % device.value)


class OrdinalTest(unittest.TestCase):

    def test_auto_uses_local_rank_or_device_0_and_cuda_n_its_n(self):
        self.assertEqual(0, startup.ordinal_for("auto", {}))
        self.assertEqual(3, startup.ordinal_for("auto", {"LOCAL_RANK": "3"}))
        self.assertEqual(0, startup.ordinal_for("cuda", {}))
        self.assertEqual(2, startup.ordinal_for("cuda:2", {}))

    def test_cpu_an_unknown_device_or_the_switch_off_get_none(self):
        self.assertIsNone(startup.ordinal_for("cpu", {}))
        self.assertIsNone(startup.ordinal_for("mps", {}))
        self.assertIsNone(startup.ordinal_for("cuda:2", {startup.ENV: "0"}))


class EarlyContextTest(unittest.TestCase):

    def test_the_context_is_retained_on_its_thread_and_kept_for_the_device_the_worker_uses(self):
        driver = FakeDriver()
        early = startup.EarlyContext(1, load=lambda: driver).start()
        early.finish("cuda", 1)
        self.assertEqual(["cuInit", "cuDeviceGet:1", "retain:1"], driver.calls)
        self.assertTrue(early.retained)
        self.assertIn("device 1's context made in", early.describe())

    def test_a_context_for_a_device_the_worker_does_not_use_is_released(self):
        for device_type, index in (("cpu", None), ("cuda", 0)):
            driver = FakeDriver()
            early = startup.EarlyContext(1, load=lambda: driver).start()
            early.finish(device_type, index)
            self.assertEqual("release:1", driver.calls[-1])
            self.assertFalse(early.retained)

    def test_a_driver_error_leaves_everything_to_torch(self):
        driver = FakeDriver(fail="cuInit")
        early = startup.EarlyContext(0, load=lambda: driver).start()
        early.finish("cuda", 0)
        self.assertEqual(["cuInit"], driver.calls)
        self.assertFalse(early.retained)
        self.assertEqual("not early (cuInit failed)", early.describe())

    def test_no_libcuda_is_no_error(self):
        def missing():
            raise OSError("libcuda.so.1: cannot open shared object file")

        early = startup.EarlyContext(0, load=missing).start()
        early.finish("cpu", None)
        self.assertFalse(early.retained)
        self.assertIn("OSError", early.describe())

    def test_no_ordinal_starts_no_thread(self):
        driver = FakeDriver()
        early = startup.EarlyContext(None, load=lambda: driver).start()
        early.finish("cpu", None)
        self.assertEqual([], driver.calls)
        self.assertEqual("not early", early.describe())


class DriverVersionTest(unittest.TestCase):

    def version_of(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(text)
        try:
            return startup.driver_version_from_proc(f.name)
        finally:
            os.unlink(f.name)

    def test_the_proprietary_and_the_open_kernel_module_lines_give_the_version_nvidia_smi_prints(self):
        self.assertEqual("580.159.04", self.version_of(
            "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Thu Oct 30 2025\nGCC version:  gcc 12\n"))
        self.assertEqual("570.86.15", self.version_of(
            "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build  (dvs-builder@U16)\n"))

    def test_a_missing_or_unfamiliar_file_gives_none(self):
        self.assertIsNone(startup.driver_version_from_proc("/nonexistent/genbench/version"))
        self.assertIsNone(self.version_of("something else entirely\n"))


class WorkerStartTest(unittest.TestCase):

    def test_the_worker_says_on_stderr_how_long_its_start_took(self):
        # GENBENCH_PYCACHE=off: no bytecode cache under the real home (test_pycache.py tests it with a temp one)
        env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_DEVICE="cpu", GENBENCH_PYCACHE="off")
        out = subprocess.run([sys.executable, "-m", "genbench_worker", "--jobs-stdin"], input="", capture_output=True,
                             text=True, env=env, timeout=120)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertRegex(out.stderr, r"genbench_worker: hello \d+\.\d\d s after start: imports \d+\.\d\d s, device "
                                     r"\d+\.\d\d s \(not early\), hello \d+\.\d\d s")
        self.assertEqual(1, out.stdout.count('"type":"hello"'))
        self.assertNotIn("first job read", out.stderr)  # none came

    def test_the_worker_says_when_its_first_job_came_after_its_hello(self):
        env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_DEVICE="cpu", GENBENCH_PYCACHE="off")
        # a job file that does not exist: the worker reads the line, says so and ends that job, then stdin ends
        out = subprocess.run([sys.executable, "-m", "genbench_worker", "--jobs-stdin"], input="\n/nonexistent/job.json\n",
                             capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(0, out.returncode, out.stderr)
        lines = out.stderr.splitlines()
        read = [k for k, line in enumerate(lines)
                if re.fullmatch(r"genbench_worker: first job read \d+\.\d\d s after start, \d+\.\d\d s after hello", line)]
        hello = [k for k, line in enumerate(lines) if line.startswith("genbench_worker: hello ")]
        self.assertEqual(1, len(read), out.stderr)  # the blank line before the job is no job
        self.assertLess(hello[0], read[0])
        self.assertIn('"job_done"', out.stdout)


if __name__ == "__main__":
    unittest.main()
