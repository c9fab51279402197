"""The worker's side of the pixel files (genbench_worker.pixel_files): each file mapped once and kept; CPU here, with a
fake `cudart` standing in for CUDA's registration."""

import gc
import io
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

import torch  # noqa: E402

from genbench_worker import pixel_files  # noqa: E402
from genbench_worker.pixel_files import PixelFiles  # noqa: E402


def batch(n, h, w, seed):
    return torch.randint(0, 256, (n, h, w, 3), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def image_bytes(path, where):
    with open(path, "rb") as f:
        data = f.read()
    return [data[i["offset"]:i["offset"] + i["length"]] for i in where]


class FakeCudart:
    """Records registrations; answers `code` (0: success) to cudaHostRegister."""

    def __init__(self, code=0):
        self.code, self.registered, self.calls = code, {}, []

    def cudaHostRegister(self, ptr, nbytes, flags):  # noqa: N802 (CUDA's name)
        self.calls.append(("register", ptr, nbytes, flags))
        if self.code == 0:
            self.registered[ptr] = nbytes
        return self.code

    def cudaHostUnregister(self, ptr):  # noqa: N802
        self.calls.append(("unregister", ptr))
        del self.registered[ptr]
        return 0


class PixelFilesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.paths = []
        for name in ("a", "b"):
            path = os.path.join(self.tmp.name, name)
            open(path, "wb").close()
            self.paths.append(path)
        self.said = []
        self.files = PixelFiles(torch, None, log=self.said.append)

    def tearDown(self):
        self.files.close()
        self.tmp.cleanup()

    def test_the_images_in_the_file_are_the_tensors_bytes_at_the_offsets_given(self):
        pixels = batch(2, 8, 5, 1)

        where = self.files.write(self.paths[0], pixels)

        self.assertEqual([{"width": 5, "height": 8, "offset": 0, "length": 120},
                          {"width": 5, "height": 8, "offset": 120, "length": 120}], where)
        self.assertEqual([pixels[0].numpy().tobytes(), pixels[1].numpy().tobytes()], image_bytes(self.paths[0], where))
        self.assertEqual(pixel_files.PAGE, os.path.getsize(self.paths[0]))  # at least the batch, whole pages

    def test_a_smaller_batch_reuses_the_mapping_and_a_larger_one_grows_the_file(self):
        self.files.write(self.paths[0], batch(3, 16, 16, 1))
        mapped = self.files.file(self.paths[0])
        size = os.path.getsize(self.paths[0])

        small = batch(1, 8, 8, 2)
        where = self.files.write(self.paths[0], small)
        self.assertIs(mapped, self.files.file(self.paths[0]))
        self.assertEqual(size, os.path.getsize(self.paths[0]))  # never shrinks
        self.assertEqual([small[0].numpy().tobytes()], image_bytes(self.paths[0], where))

        large = batch(4, 64, 48, 3)
        where = self.files.write(self.paths[0], large)
        self.assertGreaterEqual(os.path.getsize(self.paths[0]), 4 * 64 * 48 * 3)
        self.assertGreater(os.path.getsize(self.paths[0]), size)
        self.assertEqual([large[k].numpy().tobytes() for k in range(4)], image_bytes(self.paths[0], where))

    def test_two_files_alternate_each_keeping_its_own_batch(self):
        expected = {}
        for k in range(4):
            path = self.paths[k % 2]
            pixels = batch(1 + k % 2, 8 + 8 * k, 8, k)
            where = self.files.write(path, pixels)
            expected[path] = ([pixels[i].numpy().tobytes() for i in range(pixels.shape[0])], where)
            for p, (images, at) in expected.items():
                self.assertEqual(images, image_bytes(p, at), "batch %d, %s" % (k, p))
        self.assertEqual(2, len(self.files._files))

    def test_a_file_replaced_or_cut_under_the_mapping_is_mapped_anew(self):
        self.files.write(self.paths[0], batch(1, 32, 32, 1))
        first = self.files.file(self.paths[0])
        os.truncate(self.paths[0], 0)  # not the controller's way, but a write past the mapped file's end kills with SIGBUS

        pixels = batch(1, 32, 32, 2)
        where = self.files.write(self.paths[0], pixels)

        self.assertIsNot(first, self.files.file(self.paths[0]))
        self.assertEqual([pixels[0].numpy().tobytes()], image_bytes(self.paths[0], where))

    def test_without_cuda_the_pixels_are_copied_and_that_is_said_once(self):
        self.files.write(self.paths[0], batch(1, 8, 8, 1))
        self.files.write(self.paths[1], batch(1, 8, 8, 2))

        self.assertEqual(["serve: pixels are copied into each pixel file's mapping (no CUDA device)"], self.said)

    def test_a_registered_mapping_is_unregistered_before_it_is_remapped_or_closed(self):
        cudart = FakeCudart()
        files = PixelFiles(torch, cudart, log=self.said.append)
        files.write(self.paths[0], batch(1, 8, 8, 1))
        self.assertTrue(files.file(self.paths[0]).registered)
        self.assertEqual(["register"], [c[0] for c in cudart.calls])
        self.assertEqual(0, cudart.calls[0][1] % pixel_files.PAGE)  # page-aligned, whole pages
        self.assertEqual(pixel_files.PAGE, cudart.calls[0][2])

        files.write(self.paths[0], batch(2, 64, 64, 2))  # grows: unregister, remap, register the new mapping
        files.close()

        self.assertEqual(["register", "unregister", "register", "unregister"], [c[0] for c in cudart.calls])
        self.assertEqual({}, cudart.registered)
        self.assertIn("registered with CUDA", self.said[0])

    def test_a_failed_registration_falls_back_to_copying_and_says_why(self):
        files = PixelFiles(torch, FakeCudart(code=712), log=self.said.append)
        pixels = batch(1, 8, 8, 1)
        try:
            where = files.write(self.paths[0], pixels)
            self.assertFalse(files.file(self.paths[0]).registered)
        finally:
            files.close()  # nothing to unregister: FakeCudart would raise KeyError

        self.assertEqual([pixels[0].numpy().tobytes()], image_bytes(self.paths[0], where))
        self.assertEqual(["serve: pixels are copied into each pixel file's mapping "
                          "(cudaHostRegister failed with CUDA error 712)"], self.said)

    def test_a_cudart_without_the_call_is_a_reason_too(self):
        self.assertEqual((False, "no CUDA device"), pixel_files.register(None, 4096, 4096))
        ok, why = pixel_files.register(object(), 4096, 4096)
        self.assertFalse(ok)
        self.assertIn("cudaHostRegister is unavailable", why)

    def test_host_images_are_not_queued_and_nothing_is_copied(self):
        self.assertIsNone(self.files.queue(self.paths[0], batch(1, 4, 4, 1)))
        self.assertEqual(os.path.getsize(self.paths[0]), 0)

    @unittest.skipUnless(torch.cuda.is_available(), "needs a CUDA device")
    def test_a_queued_copy_from_the_device_lands_the_same_bytes_once_the_stream_is_synchronized(self):
        # in shared memory, as serve's files are (CUDA may refuse to register a mapping of a file on disk)
        shm = tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        path = os.path.join(shm.name, "pixels")
        open(path, "wb").close()
        files = PixelFiles(torch, torch.cuda.cudart(), log=self.said.append)
        try:
            x = batch(2, 64, 48, 7)
            where = files.queue(path, x.cuda())
            self.assertIsNotNone(where, self.said)
            torch.cuda.synchronize()
            self.assertEqual(where, pixel_files._layout(x))
            self.assertEqual(image_bytes(path, where), [x[k].numpy().tobytes() for k in range(2)])
        finally:
            files.close()
            shm.cleanup()

    def test_the_former_write_still_writes_exactly_the_batch(self):
        pixels = batch(2, 4, 4, 1)
        where = pixel_files.write_pixels(self.paths[1], pixels)
        self.assertEqual(2 * 48, os.path.getsize(self.paths[1]))
        self.assertEqual([pixels[0].numpy().tobytes(), pixels[1].numpy().tobytes()], image_bytes(self.paths[1], where))


class TraceParseTest(unittest.TestCase):
    def test_bench_serve_trace_reads_the_worker_trace2_line(self):
        import contextlib  # noqa: PLC0415
        import json  # noqa: PLC0415
        import runpy  # noqa: PLC0415
        from unittest import mock  # noqa: PLC0415

        from genbench_worker import serve  # noqa: PLC0415

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "pixels")
            open(path, "wb").close()
            err = io.StringIO()
            lines = "".join(json.dumps({"type": "images", "id": "t%d" % k, "prompts": ["x"], "seeds": [k], "width": 16,
                                        "height": 16, "steps": 1, "format": "file", "pixels_file": path}) + "\n"
                            for k in range(2))

            class Wire:
                def send(self, m):
                    pass

            with mock.patch.dict(os.environ, {"GENBENCH_SERVE_TRACE": "1"}), contextlib.redirect_stderr(err):
                try:
                    serve.main(["--model", "stabilityai/stable-diffusion-2-1", "--tiny", "--device", "cpu"],
                               stdin=io.StringIO(lines), wire=Wire())
                finally:
                    gc.unfreeze()  # what serve froze in this test process
            trace2 = [x for x in err.getvalue().splitlines() if x.startswith("serve: trace2 ")]
            self.assertEqual(2, len(trace2))
            log = os.path.join(tmp, "serve.log")
            marks = [dict(kv.split("=") for kv in line.split()[3:]) for line in trace2]
            with open(log, "w") as f:  # the JVM's lines for the same requests around the worker's
                for k, m in enumerate(marks):
                    f.write("serve-trace batch %d %d\n" % (k, int(m["recv"]) - 2000))
                    f.write("serve-trace sent t%d %d\n" % (k, int(m["recv"]) - 1000))
                    f.write(trace2[k] + "\n")
            safepoints = os.path.join(tmp, "safepoint.log")
            with open(safepoints, "w") as f:  # -Xlog:safepoint:file=...:timenanos, one that ends during request t1
                f.write('[%dns] Safepoint "ZMarkEndYoung", Time since last: 5 ns, Reaching safepoint: 7 ns, '
                        'At safepoint: 9 ns, Leaving safepoint: 1 ns, Total: 250000 ns, Threads: 1 runnable\n'
                        % (int(marks[1]["recv"]) + 10))
            out = io.StringIO()
            with mock.patch.object(sys, "argv", ["serve_trace.py", log, "0"]), contextlib.redirect_stdout(out), \
                    mock.patch.dict(os.environ, {"SLOWEST": "2", "SAFEPOINTS": safepoints}):
                runpy.run_path(os.path.join(HERE, "..", "..", "bench", "serve_trace.py"), run_name="__main__")

        text = out.getvalue()
        self.assertIn("2 requests traced", text)
        for phase in ("computed -> pixels on the host", "host -> writer thread runs", "written -> images line sent"):
            self.assertIn(phase, text)
        self.assertRegex(text, r"host -> writer thread runs\s+p50\s+0\.000")  # one moment now
        self.assertIn("worker's garbage collector (in the above)", text)  # the gc= duration of each trace2 line
        self.assertEqual(2, text.count("a slow request:"))
        self.assertEqual(1, text.count("JVM safepoint ZMarkEndYoung: 0.250 ms"))  # only t1 was in the server then
        self.assertEqual(1, text.count("no JVM safepoint while it was in the server"))


if __name__ == "__main__":
    unittest.main()
