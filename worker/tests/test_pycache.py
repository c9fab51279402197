"""pycache.enable: genbench's own bytecode cache where a package's standard one is absent (issue 18 goal 2).

Each case runs fresh interpreters (what is tested is a process's import machinery) on a fake package in a temp
directory, with a temp HOME and XDG_CACHE_HOME and PYTHONDONTWRITEBYTECODE=1, as on the GPU host whose venv keeps no
bytecode; `python -v` says where each module's code object came from.
"""
import os
import py_compile
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "src"))

PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from genbench_worker import pycache
print("DID " + pycache.enable(module="fakepkg"), file=sys.stderr)
import fakepkg
print("PREFIX %s" % sys.pycache_prefix, file=sys.stderr)
print("VALUE %d" % fakepkg.VALUE, file=sys.stderr)
"""


class PycacheTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="genbench-pycache-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.pkgs = os.path.join(self.tmp, "pkgs")
        os.makedirs(os.path.join(self.pkgs, "fakepkg"))
        self.source = os.path.join(self.pkgs, "fakepkg", "__init__.py")
        with open(self.source, "w") as f:
            f.write("VALUE = 41 + 1\n")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)

    def run_probe(self, **env):
        full = {k: v for k, v in os.environ.items() if k not in ("GENBENCH_PYCACHE", "XDG_CACHE_HOME",
                                                                 "PYTHONPYCACHEPREFIX")}
        full.update(PYTHONPATH=SRC, HOME=self.home, PYTHONDONTWRITEBYTECODE="1")
        full.update(env)
        out = subprocess.run([sys.executable, "-v", "-c", PROBE, self.pkgs], capture_output=True, text=True,
                             env=full, timeout=60)
        self.assertEqual(0, out.returncode, out.stderr[-2000:])
        self.assertIn("VALUE 42", out.stderr)
        return out.stderr

    @staticmethod
    def line(err, tag):
        return next(l[len(tag) + 1:] for l in err.splitlines() if l.startswith(tag + " "))

    def code_from(self, err):
        """Where fakepkg's code object came from, as `python -v` says."""
        return next(l.split("code object from ", 1)[1].strip("'") for l in err.splitlines()
                    if "code object from" in l and "fakepkg" in l)

    def prefixed_pyc(self, prefix):
        # sys.pycache_prefix mirrors the source's absolute directory under the prefix, without __pycache__
        tag = sys.implementation.cache_tag
        return os.path.join(prefix, self.pkgs.lstrip(os.sep), "fakepkg", "__init__.%s.pyc" % tag)

    def test_without_standard_bytecode_the_first_process_writes_under_the_prefix_and_the_second_loads_it(self):
        prefix = os.path.join(self.tmp, "cache")
        first = self.run_probe(GENBENCH_PYCACHE=prefix)
        self.assertIn("genbench cache %s" % prefix, self.line(first, "DID"))
        self.assertIn("writing was off", self.line(first, "DID"))
        self.assertEqual(prefix, self.line(first, "PREFIX"))
        self.assertEqual(self.source, self.code_from(first))  # compiled from source, once
        pyc = self.prefixed_pyc(prefix)
        self.assertTrue(os.path.isfile(pyc), pyc)
        self.assertFalse(os.path.exists(os.path.join(self.pkgs, "fakepkg", "__pycache__")))
        self.assertEqual(0o700, stat.S_IMODE(os.stat(prefix).st_mode))
        written = os.stat(pyc).st_mtime_ns

        second = self.run_probe(GENBENCH_PYCACHE=prefix)
        self.assertEqual(pyc, self.code_from(second))  # loaded from genbench's cache, not compiled
        self.assertEqual(written, os.stat(pyc).st_mtime_ns)

    def test_the_default_directory_is_under_xdg_cache_home_else_home_cache(self):
        xdg = os.path.join(self.tmp, "xdg")
        err = self.run_probe(XDG_CACHE_HOME=xdg)
        self.assertEqual(os.path.join(xdg, "genbench", "pycache"), self.line(err, "PREFIX"))
        err = self.run_probe()
        expected = os.path.join(self.home, ".cache", "genbench", "pycache")
        self.assertEqual(expected, self.line(err, "PREFIX"))
        self.assertTrue(os.path.isfile(self.prefixed_pyc(expected)))

    def test_a_standard_cache_is_left_alone_and_no_prefix_is_set(self):
        py_compile.compile(self.source, doraise=True)  # the standard __pycache__/__init__.<tag>.pyc
        prefix = os.path.join(self.tmp, "cache")
        err = self.run_probe(GENBENCH_PYCACHE=prefix)
        self.assertIn("standard", self.line(err, "DID"))
        self.assertEqual("None", self.line(err, "PREFIX"))
        self.assertFalse(os.path.exists(prefix))
        self.assertIn(os.sep + "__pycache__" + os.sep, self.code_from(err))  # the standard pyc was read

    def test_off_sets_no_prefix(self):
        err = self.run_probe(GENBENCH_PYCACHE="off", XDG_CACHE_HOME=os.path.join(self.tmp, "xdg"))
        self.assertIn("off", self.line(err, "DID"))
        self.assertEqual("None", self.line(err, "PREFIX"))
        self.assertEqual(self.source, self.code_from(err))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "xdg")))
        self.assertFalse(os.path.exists(os.path.join(self.home, ".cache")))

    def test_a_directory_that_cannot_be_made_is_said_once_and_the_imports_go_on(self):
        blocker = os.path.join(self.tmp, "a-file")
        with open(blocker, "w") as f:
            f.write("not a directory\n")
        err = self.run_probe(GENBENCH_PYCACHE=os.path.join(blocker, "pycache"))
        self.assertIn("cannot be used", self.line(err, "DID"))
        self.assertEqual(1, sum("cannot be used" in l for l in err.splitlines()))
        self.assertEqual("None", self.line(err, "PREFIX"))
        self.assertEqual(self.source, self.code_from(err))

    def test_a_prefix_chosen_by_the_interpreter_settings_is_kept(self):
        chosen = os.path.join(self.tmp, "chosen")
        err = self.run_probe(PYTHONPYCACHEPREFIX=chosen, GENBENCH_PYCACHE=os.path.join(self.tmp, "cache"))
        self.assertIn("interpreter's settings", self.line(err, "DID"))
        self.assertEqual(chosen, self.line(err, "PREFIX"))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "cache")))


class WorkerPycacheTest(unittest.TestCase):

    def test_the_worker_start_up_line_says_what_was_done_with_bytecode(self):
        with tempfile.TemporaryDirectory(prefix="genbench-pycache-") as home:
            env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_DEVICE="cpu", HOME=home, GENBENCH_PYCACHE="off")
            out = subprocess.run([sys.executable, "-m", "genbench_worker", "--jobs-stdin"], input="",
                                 capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertRegex(out.stderr, r"genbench_worker: hello \d+\.\d\d s after start: .*; bytecode: genbench cache "
                                     r"off \(GENBENCH_PYCACHE=off\)")

    def test_serve_says_what_was_done_with_bytecode_before_building(self):
        with tempfile.TemporaryDirectory(prefix="genbench-pycache-") as home:
            env = dict(os.environ, PYTHONPATH=SRC, HOME=home, GENBENCH_PYCACHE="off")
            out = subprocess.run([sys.executable, "-m", "genbench_worker.serve", "--model", "facebook/opt-125m",
                                  "--tiny", "--device", "cpu"], input="", capture_output=True, text=True, env=env,
                                 timeout=120)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn("serve: bytecode: genbench cache off (GENBENCH_PYCACHE=off)", out.stderr.splitlines())
        self.assertIn('"type":"ready"', out.stdout)


if __name__ == "__main__":
    unittest.main()
