"""The serving mode (genbench_worker.serve): requests in on stdin, results out on stdout, one model built once.

CPU, tiny configurations, random weights; in process (stdin and the wire injected) but for one real subprocess.
"""

import base64
import gc
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")
sys.path.insert(0, SRC)

from genbench_worker import serve  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SCHEMAS = os.path.join(REPO, "protocol", "schema")
OPT = "facebook/opt-125m"
SD = "stabilityai/stable-diffusion-2-1"


class Collect:
    def __init__(self):
        self.sent = []

    def send(self, message):
        json.dumps(message)  # what the real wire writes must be JSON
        self.sent.append(message)


def run(model, *lines, extra=()):
    wire = Collect()
    stdin = io.StringIO("".join(json.dumps(line) + "\n" if not isinstance(line, str) else line + "\n" for line in lines))
    try:
        code = serve.main(["--model", model, "--tiny", "--device", "cpu", *extra], stdin=stdin, wire=wire)
    finally:
        gc.unfreeze()  # what main froze in this test process (freeze_heap) is collectable again for the next test
    return code, wire.sent


def of(sent, rid, kind=None):
    return [m for m in sent if m.get("id") == rid and (kind is None or m["type"] == kind)]


class TextTest(unittest.TestCase):

    def test_a_streamed_generation_sends_one_token_event_per_token_then_the_completion(self):
        code, sent = run(OPT, {"type": "generate", "id": "r1", "prompt": "hello there", "max_tokens": 5,
                               "stream": True, "ignore_eos": True})

        self.assertEqual(0, code)
        self.assertEqual("ready", sent[0]["type"])
        self.assertEqual("opt", sent[0]["family"])
        tokens = of(sent, "r1", "token")
        done = of(sent, "r1", "completion")[0]
        self.assertEqual([0, 1, 2, 3, 4], [t["index"] for t in tokens])
        self.assertEqual([t["token_id"] for t in tokens], done["token_ids"])
        self.assertEqual("".join(t["text"] for t in tokens), done["text"])
        self.assertEqual(5, done["completion_tokens"])
        self.assertEqual(len(serve.tokenize("hello there", 1000)), done["prompt_tokens"])
        self.assertEqual("length", done["finish_reason"])
        self.assertGreater(done["ttft_ns"], 0)
        self.assertGreaterEqual(done["compute_ns"], done["ttft_ns"])
        self.assertIs(sent[-1], done)

    def test_a_generation_without_stream_sends_only_the_completion(self):
        code, sent = run(OPT, {"type": "generate", "id": "r1", "prompt_ids": [5, 6, 7], "max_tokens": 3,
                               "ignore_eos": True})

        self.assertEqual([], of(sent, "r1", "token"))
        done = of(sent, "r1", "completion")[0]
        self.assertEqual(3, done["prompt_tokens"])
        self.assertEqual(3, len(done["token_ids"]))

    def test_the_same_request_twice_generates_the_same_tokens(self):
        request = {"type": "generate", "id": "a", "prompt": "x y z", "max_tokens": 4, "ignore_eos": True}

        _, sent = run(OPT, request, dict(request, id="b"))

        self.assertEqual(of(sent, "a", "completion")[0]["token_ids"], of(sent, "b", "completion")[0]["token_ids"])

    def test_bad_requests_are_answered_with_an_error_naming_the_field_and_the_worker_goes_on(self):
        code, sent = run(OPT, "not json",
                         {"type": "generate", "id": "big", "prompt": "x", "max_tokens": 10 ** 6},
                         {"type": "generate", "id": "both", "prompt": "x", "prompt_ids": [1], "max_tokens": 1},
                         {"type": "images", "id": "img", "prompts": ["x"], "seeds": [1], "width": 64, "height": 64,
                          "steps": 1},
                         {"type": "generate", "id": "ok", "prompt": "x", "max_tokens": 1})

        self.assertEqual(0, code)
        errors = [m for m in sent if m["type"] == "error"]
        self.assertEqual([None, "big", "both", "img"], [e["id"] for e in errors])
        self.assertTrue(all(e["kind"] == "bad_request" for e in errors))
        self.assertIn("max_tokens", of(sent, "big")[0]["message"])
        self.assertIn("prompt_ids", of(sent, "both")[0]["message"])
        self.assertIn("does not generate images", of(sent, "img")[0]["message"])
        self.assertEqual(1, of(sent, "ok", "completion")[0]["completion_tokens"])

    def test_the_byte_tokenizer_reads_back_printable_text(self):
        ids = serve.tokenize("Hi there!", 50272)

        self.assertEqual(serve.OPT_EOS, ids[0])
        self.assertEqual("Hi there!", serve.detokenize(ids[1:]))
        self.assertEqual(" t4000", serve.detokenize([4000]))


class ImageTest(unittest.TestCase):

    def request(self, rid, prompts, seeds, fmt="rgb"):
        return {"type": "images", "id": rid, "prompts": prompts, "seeds": seeds, "width": 64, "height": 48,
                "steps": 2, "guidance": 7.5, "format": fmt}

    def test_a_batch_returns_one_image_per_prompt_each_from_its_own_seed(self):
        code, sent = run(SD, self.request("b", ["a fox", "a fox", "a cat"], [1, 2, 1]),
                         self.request("one", ["a fox"], [1]))

        self.assertEqual(0, code)
        batch = of(sent, "b", "images")[0]
        alone = of(sent, "one", "images")[0]
        rgb = [base64.b64decode(i["rgb_b64"]) for i in batch["images"]]
        self.assertEqual([64 * 48 * 3] * 3, [len(r) for r in rgb])
        self.assertEqual([(64, 48)] * 3, [(i["width"], i["height"]) for i in batch["images"]])
        self.assertGreater(batch["compute_ns"], 0)
        self.assertNotEqual(rgb[0], rgb[1])  # another seed
        self.assertNotEqual(rgb[0], rgb[2])  # another prompt
        first_alone = base64.b64decode(alone["images"][0]["rgb_b64"])
        differing = sum(abs(a - b) > 2 for a, b in zip(rgb[0], first_alone))
        self.assertLess(differing, len(first_alone) // 100)  # the same image, batched or not (float rounding aside)

    def test_png_format_returns_png_files(self):
        _, sent = run(SD, self.request("p", ["x"], [3], fmt="png"))

        data = base64.b64decode(of(sent, "p", "images")[0]["images"][0]["png_b64"])
        self.assertEqual(b"\x89PNG\r\n\x1a\n", data[:8])

    def test_file_format_writes_the_batch_pixels_to_the_named_file_and_says_where_each_image_lies(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "pixels")
            open(path, "wb").close()
            by_file = dict(self.request("f", ["a fox", "a cat"], [1, 2]), format="file", pixels_file=path)
            _, sent = run(SD, by_file, self.request("b", ["a fox", "a cat"], [1, 2]))
            with open(path, "rb") as f:
                data = f.read()
            _, again = run(SD, dict(self.request("one", ["a fox"], [1]), format="file", pixels_file=path))
            size_after_one = os.path.getsize(path)

        result = of(sent, "f", "images")[0]
        self.assertEqual(["computed", "images"], [x["type"] for x in of(sent, "f")])  # computed first, then the pixels
        self.assertEqual(result["compute_ns"], of(sent, "f", "computed")[0]["compute_ns"])
        b64 = [base64.b64decode(i["rgb_b64"]) for i in of(sent, "b", "images")[0]["images"]]
        self.assertEqual(path, result["pixels_file"])
        self.assertEqual([{"width": 64, "height": 48, "offset": 0, "length": 64 * 48 * 3},
                          {"width": 64, "height": 48, "offset": 64 * 48 * 3, "length": 64 * 48 * 3}], result["images"])
        self.assertGreaterEqual(len(data), 2 * 64 * 48 * 3)  # at least the batch: the file only grows
        for image, expected in zip(result["images"], b64):  # the same pixels as the base64 form of the same request
            self.assertEqual(expected, data[image["offset"]:image["offset"] + image["length"]])
        self.assertGreaterEqual(result["pixels_ns"], 0)
        self.assertEqual(len(data), size_after_one)  # a smaller batch leaves the file as it was: it never shrinks
        self.assertEqual(["computed", "images"], [x["type"] for x in of(again, "one")])

    def test_the_trace_gives_each_file_batch_its_moments_in_order_on_the_monotonic_clock(self):
        import contextlib  # noqa: PLC0415
        from unittest import mock  # noqa: PLC0415

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "pixels")
            open(path, "wb").close()
            err = io.StringIO()
            with mock.patch.dict(os.environ, {"GENBENCH_SERVE_TRACE": "1"}), contextlib.redirect_stderr(err):
                _, sent = run(SD, dict(self.request("t1", ["a fox"], [1]), format="file", pixels_file=path),
                              dict(self.request("t2", ["a cat"], [2]), format="file", pixels_file=path))

        lines = [line.split() for line in err.getvalue().splitlines() if line.startswith("serve: trace2 ")]
        self.assertEqual(["t1", "t2"], [fields[2] for fields in lines])
        order = ["recv", "start", "end", "noted", "sending", "computed", "host", "writer", "written", "sent"]
        for fields in lines:
            marks = dict(kv.split("=") for kv in fields[3:])
            self.assertEqual(order + ["gc"], list(marks))
            self.assertGreaterEqual(int(marks.pop("gc")), 0)  # a duration: the collector's time since the last line
            ns = [int(marks[k]) for k in order]
            self.assertEqual(sorted(ns), ns)  # each moment at or after the one before
            rid = fields[2]
            self.assertEqual(of(sent, rid, "computed")[0]["compute_ns"], ns[2] - ns[1])  # end - start is the compute

    def test_file_format_needs_an_existing_file_by_absolute_path(self):
        _, sent = run(SD, dict(self.request("nofile", ["x"], [1]), format="file"),
                      dict(self.request("relative", ["x"], [1]), format="file", pixels_file="pixels"),
                      dict(self.request("missing", ["x"], [1]), format="file", pixels_file="/nonexistent/genbench/p"))

        for rid in ("nofile", "relative", "missing"):
            self.assertEqual("bad_request", of(sent, rid)[0]["kind"], rid)
            self.assertIn("'pixels_file'", of(sent, rid)[0]["message"], rid)

    def test_sizes_off_the_grid_are_refused(self):
        _, sent = run(SD, dict(self.request("bad", ["x"], [1]), width=65))

        self.assertEqual("bad_request", of(sent, "bad")[0]["kind"])
        self.assertIn("multiples of 8", of(sent, "bad")[0]["message"])


class CollectorTest(unittest.TestCase):
    """Python's garbage collector on the serving thread: the built heap frozen out of it, its time traced."""

    def tearDown(self):
        gc.unfreeze()

    def test_the_built_heap_is_frozen_out_of_the_collector_before_ready_goes_out(self):
        import contextlib  # noqa: PLC0415

        frozen = []

        class Wire(Collect):
            def send(self, message):
                if message["type"] == "ready":
                    frozen.append(gc.get_freeze_count())
                super().send(message)

        err = io.StringIO()
        stdin = io.StringIO(json.dumps({"type": "images", "id": "a", "prompts": ["x"], "seeds": [1], "width": 32,
                                        "height": 32, "steps": 2}) + "\n")
        with contextlib.redirect_stderr(err):
            code = serve.main(["--model", SD, "--tiny", "--device", "cpu"], stdin=stdin, wire=Wire())

        self.assertEqual(0, code)
        self.assertGreater(frozen[0], 10000)  # torch's modules and the model's: tens of thousands of objects
        self.assertIn("%d objects frozen out of the garbage collector" % frozen[0], err.getvalue())

    def test_a_captured_graph_is_frozen_with_the_model(self):
        loaded = serve.build(SD, tiny=True, precision="float32", weights=None, backend="torch", device="cpu", seed=42)
        server = serve.Server(loaded, "cpu", SD, Collect().send, graph_factory=lambda f, s, t, c: f)
        server.cuda_graphs = True
        gc.unfreeze()
        server.handle(json.dumps({"type": "images", "id": "a", "prompts": ["x"], "seeds": [1], "width": 32,
                                  "height": 32, "steps": 2}))

        self.assertGreater(gc.get_freeze_count(), 0)

    def test_traced_the_server_counts_its_time_in_the_collector_until_closed(self):
        from unittest import mock  # noqa: PLC0415

        loaded = serve.build(SD, tiny=True, precision="float32", weights=None, backend="torch", device="cpu", seed=42)
        with mock.patch.dict(os.environ, {"GENBENCH_SERVE_TRACE": "1"}):
            server = serve.Server(loaded, "cpu", SD, Collect().send)
        gc.collect()
        self.assertGreater(server._gc_ns, 0)
        server.close()
        self.assertNotIn(server._gc_timed, gc.callbacks)


class CollectBetweenRequestsTest(unittest.TestCase):
    """Garbage collected between requests, never on one's path."""

    def tearDown(self):
        gc.enable()

    @staticmethod
    def _cycles(n):
        """n unreachable reference cycles (only the collector frees them), and weak references to them."""
        import weakref  # noqa: PLC0415

        class Node:
            pass

        refs = []
        for _ in range(n):
            a, b = Node(), Node()
            a.other, b.other = b, a
            refs.append(weakref.ref(a))
        return refs

    def test_automatic_collection_is_off_while_open_and_what_is_due_is_collected_between(self):
        gc.collect()
        collector = serve.CollectBetweenRequests()
        self.assertFalse(gc.isenabled())
        few = self._cycles(3)
        self.assertEqual(-1, collector.between())  # under generation 0's threshold: nothing due
        self.assertTrue(all(r() is not None for r in few))
        many = self._cycles(gc.get_threshold()[0])  # past it: automatic collection would have run by now
        self.assertTrue(all(r() is not None for r in many))  # ... and did not
        self.assertGreaterEqual(collector.between(), 0)
        self.assertTrue(all(r() is None for r in few + many))
        collector.close()
        self.assertTrue(gc.isenabled())

    def test_a_served_request_allocating_cycles_pays_no_collection_on_its_path(self):
        import contextlib  # noqa: PLC0415

        inside, collected_inside, collections = [False], [0], [0]

        def note(phase, info):
            if phase == "start":
                collections[0] += 1
                collected_inside[0] += inside[0]

        handle = serve.Server.handle

        def handle_with_cycles(server, line):
            inside[0] = True
            try:
                self._cycles(3 * gc.get_threshold()[0])  # three times the threshold's allocations on the request's path
                handle(server, line)
            finally:
                inside[0] = False

        request = {"type": "images", "prompts": ["x"], "seeds": [1], "width": 32, "height": 32, "steps": 2}
        from unittest import mock  # noqa: PLC0415

        gc.callbacks.append(note)
        try:
            with mock.patch.object(serve.Server, "handle", handle_with_cycles), contextlib.redirect_stderr(io.StringIO()):
                code, sent = run(SD, dict(request, id="a"), dict(request, id="b"), dict(request, id="c"))
        finally:
            gc.callbacks.remove(note)

        self.assertEqual(0, code)
        self.assertEqual(["a", "b", "c"], [m["id"] for m in sent if m["type"] == "images"])
        self.assertGreaterEqual(collections[0], 3)  # one between each request and the next at least
        self.assertEqual(0, collected_inside[0])
        self.assertTrue(gc.isenabled())  # main gave automatic collection back


class RequestLinesTest(unittest.TestCase):
    """The request lines, read from the pipe itself when the worker polls it between requests (--spin-ms)."""

    def _pipe_lines(self, spin_ns, *writes):
        r, w = os.pipe()
        for chunk in writes:
            os.write(w, chunk)
        os.close(w)
        with os.fdopen(r, "r") as stdin:
            return list(serve.request_lines(stdin, spin_ns))

    def test_lines_split_over_reads_and_many_in_one_read_come_whole_and_in_order(self):
        lines = self._pipe_lines(1_000_000, b'{"a":1}\n{"b"', b':2}\n{"c":3}\n{"d":4}\n', b'{"e":5}')

        self.assertEqual(['{"a":1}\n', '{"b":2}\n', '{"c":3}\n', '{"d":4}\n', '{"e":5}'], lines)

    def test_a_line_that_is_not_utf8_comes_through_to_be_refused_not_as_a_crash(self):
        self.assertEqual(["\ufffd{}\n", "ok\n"], self._pipe_lines(1_000_000, b"\xff{}\nok\n"))

    def test_without_a_pipe_or_a_spin_it_reads_the_stream_as_it_is(self):
        self.assertEqual(["x\n", "y\n"], list(serve.request_lines(io.StringIO("x\ny\n"), 1_000_000)))
        self.assertEqual(["x\n", "y\n"], self._pipe_lines(0, b"x\ny\n"))

    def _cpu_while_waiting(self, spin_ns):
        """CPU seconds this thread spends between a handled line and the next, which comes 0.3 s later."""
        import threading  # noqa: PLC0415

        r, w = os.pipe()
        os.write(w, b"first\n")
        with os.fdopen(r, "r") as stdin:
            lines = serve.request_lines(stdin, spin_ns)
            self.assertEqual("first\n", next(lines))
            later = threading.Timer(0.3, lambda: (os.write(w, b"second\n"), os.close(w)))
            later.start()
            cpu = time.thread_time()
            self.assertEqual("second\n", next(lines))
            cpu = time.thread_time() - cpu
            later.join()
            self.assertEqual([], list(lines))
        return cpu

    def test_with_a_spin_it_polls_the_pipe_before_it_blocks_and_without_one_it_blocks_at_once(self):
        self.assertGreater(self._cpu_while_waiting(200_000_000), 0.01)  # polled for up to 0.2 s
        self.assertLess(self._cpu_while_waiting(0), 0.01)


class SoonNoticeTest(unittest.TestCase):
    KEY = (64, 64, 10, True, 1, "file")

    def notice(self, lead_ms):
        sent = Collect()
        notice = serve.SoonNotice(sent.send, int(lead_ms * 1e6))
        self.addCleanup(notice.close)
        return notice, sent.sent

    def test_soon_is_said_lead_before_the_shortest_recent_compute_of_the_shape_ends(self):
        notice, sent = self.notice(90)
        notice.expect(self.KEY, "first", time.perf_counter_ns())
        time.sleep(0.2)
        self.assertEqual([], sent, "a shape seen for the first time: nothing to predict from")
        notice.done(self.KEY, 300_000_000)
        notice.done(self.KEY, 100_000_000)
        start = time.perf_counter_ns()
        notice.expect(self.KEY, "r2", start)
        deadline = time.time() + 10
        while not sent and time.time() < deadline:
            time.sleep(0.001)
        said = time.perf_counter_ns()
        self.assertEqual([{"type": "soon", "id": "r2", "within_ms": 50.0}], sent,
                         "within: the spread (200 ms) and twice the lead, at most 50 ms")
        self.assertGreaterEqual(said - start, 10_000_000, "not before 100 ms - 90 ms")
        self.assertEqual(1, notice.said)

    def test_nothing_is_said_once_the_compute_is_over_for_another_shape_or_without_a_lead(self):
        notice, sent = self.notice(50)
        notice.done(self.KEY, 400_000_000)
        notice.expect(self.KEY, "r1", time.perf_counter_ns())  # due in 350 ms
        notice.done(self.KEY, 1_000_000)
        other = (32, 32, 10, True, 1, "file")
        notice.expect(other, "r2", time.perf_counter_ns() - 10 ** 9)
        off, off_sent = self.notice(0)
        off.done(self.KEY, 400_000_000)
        off.expect(self.KEY, "r3", time.perf_counter_ns() - 10 ** 9)
        time.sleep(0.5)
        self.assertEqual([], sent)
        self.assertEqual([], off_sent)

    def test_served_with_soon_every_soon_line_comes_before_its_computed_line_and_matches_the_schema(self):
        from jsonschema import Draft202012Validator  # noqa: PLC0415

        with open(os.path.join(SCHEMAS, "serve-results.schema.json"), encoding="utf-8") as f:
            validator = Draft202012Validator(json.load(f))
        with tempfile.NamedTemporaryFile() as f:
            requests = [{"type": "images", "id": "r%d" % k, "prompts": ["x"], "seeds": [k], "width": 64, "height": 64,
                         "steps": 4, "format": "file", "pixels_file": f.name} for k in range(4)]
            code, sent = run(SD, *requests, extra=("--soon-ms", "1000"))
        self.assertEqual(0, code)
        self.assertEqual([], of(sent, "r0", "soon"), "the first compute of the shape: nothing to predict from")
        for n, m in enumerate(sent):
            self.assertEqual([], [e.message for e in validator.iter_errors(m)], json.dumps(m))
            if m["type"] == "soon":
                later = [x["type"] for x in sent[n + 1:] if x.get("id") == m["id"]]
                self.assertEqual(["computed", "images"], later, "soon, then its computed and images lines")
        self.assertEqual(4, len([m for m in sent if m["type"] == "images"]))


class TraceTest(unittest.TestCase):
    """GENBENCH_SERVE_TRACE=1: the worker's trace lines are written once the answer is out, not in the time traced."""

    def test_the_trace_lines_of_a_request_come_after_its_answer(self):
        import contextlib  # noqa: PLC0415
        from unittest import mock  # noqa: PLC0415

        err = io.StringIO()
        log_at_answer = []

        class Wire(Collect):
            def send(self, message):
                if message["type"] == "images":
                    log_at_answer.append(err.getvalue())
                super().send(message)

        request = {"type": "images", "prompts": ["x"], "seeds": [1], "width": 32, "height": 32, "steps": 2}
        stdin = io.StringIO("".join(json.dumps(dict(request, id=i)) + "\n" for i in ("a", "b")))
        with mock.patch.dict(os.environ, {"GENBENCH_SERVE_TRACE": "1"}), contextlib.redirect_stderr(err):
            code = serve.main(["--model", SD, "--tiny", "--device", "cpu"], stdin=stdin, wire=Wire())
        gc.unfreeze()

        self.assertEqual(0, code)
        self.assertEqual(2, len(log_at_answer))
        self.assertNotIn("serve: trace batch b", log_at_answer[1])  # not yet when b's answer went out
        self.assertIn("serve: trace batch b images 1", err.getvalue())  # but after it


class GraphTest(unittest.TestCase):
    """The per-shape UNet graph cache, on CPU with a stand-in for the CUDA graph (the capture itself needs a GPU)."""

    def server(self, factory):
        loaded = serve.build(SD, tiny=True, precision="float32", weights=None, backend="torch", device="cpu", seed=42)
        wire = Collect()
        server = serve.Server(loaded, "cpu", SD, wire.send, graph_factory=factory)
        server.cuda_graphs = True  # as on CUDA
        return server, wire

    def request(self, rid, n):
        return json.dumps({"type": "images", "id": rid, "prompts": ["x"] * n, "seeds": list(range(n)), "width": 32,
                           "height": 32, "steps": 3})

    def test_one_graph_is_captured_per_batch_shape_and_replayed_after(self):
        captured = []

        def factory(forward, sample, timestep, cond):
            captured.append(tuple(sample.shape))
            return lambda s, t, c: forward(s, t, c)

        server, wire = self.server(factory)
        for rid, n in (("a", 1), ("b", 1), ("c", 2)):
            server.handle(self.request(rid, n))

        self.assertEqual(["images"] * 3, [m["type"] for m in wire.sent])
        self.assertEqual([(2, 4, 4, 4), (4, 4, 4, 4)], captured)  # CFG doubles the batch; 32 px = 4 latent px

    def test_a_failed_capture_runs_that_shape_eagerly_and_is_not_retried(self):
        tries = []

        def factory(forward, sample, timestep, cond):
            tries.append(1)
            raise RuntimeError("capture failed")

        server, wire = self.server(factory)
        server.handle(self.request("a", 1))
        server.handle(self.request("b", 1))

        self.assertEqual(["images", "images"], [m["type"] for m in wire.sent])
        self.assertEqual(1, len(tries))

    def test_graphs_asked_for_on_cpu_are_refused_at_start(self):
        code, sent = run(SD, extra=("--cuda-graphs", "true"))

        self.assertEqual(1, code)
        self.assertEqual("fatal", sent[0]["type"])
        self.assertIn("CUDA", sent[0]["message"])

    def test_ready_says_which_knobs_are_on(self):
        _, sent = run(SD)

        self.assertEqual({"cuda_graphs": False, "channels_last": False}, sent[0]["knobs"])


class StartTest(unittest.TestCase):

    def test_an_unknown_model_sends_fatal_and_exits_1(self):
        code, sent = run("nobody/no-such-model")

        self.assertEqual(1, code)
        self.assertEqual(["fatal"], [m["type"] for m in sent])
        self.assertEqual("unsupported", sent[0]["kind"])

    def test_the_module_runs_as_a_process_writing_only_json_lines_to_stdout(self):
        env = dict(os.environ, PYTHONPATH=SRC, PYTHONUNBUFFERED="1", GENBENCH_PYCACHE="off")  # never the real home
        request = {"type": "generate", "id": "r", "prompt": "hi", "max_tokens": 2, "stream": True, "ignore_eos": True}

        out = subprocess.run([sys.executable, "-m", "genbench_worker.serve", "--model", OPT, "--tiny", "--device", "cpu"],
                             input=json.dumps(request) + "\n", capture_output=True, text=True, env=env, timeout=300)

        self.assertEqual(0, out.returncode, out.stderr)
        lines = [json.loads(line) for line in out.stdout.splitlines()]
        self.assertEqual(["ready", "token", "token", "completion"], [m["type"] for m in lines])
        self.assertIn("ready on cpu", out.stderr)


class SchemaTest(unittest.TestCase):
    """protocol/schema/serve-*.schema.json: the fixtures and what the worker really writes match them."""

    def setUp(self):
        try:
            import jsonschema  # noqa: PLC0415
        except ImportError:
            self.skipTest("the jsonschema package is not importable (Debian: python3-jsonschema)")
        self.jsonschema = jsonschema

    def validator(self, name):
        with open(os.path.join(SCHEMAS, name), encoding="utf-8") as f:
            schema = json.load(f)
        self.jsonschema.Draft202012Validator.check_schema(schema)
        return self.jsonschema.Draft202012Validator(schema), set(schema["properties"]["type"]["enum"])

    def fixture(self, name):
        with open(os.path.join(SCHEMAS, "fixtures", name), encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def assertValid(self, validator, lines):
        for n, line in enumerate(lines, 1):
            problems = [e.message for e in validator.iter_errors(line)]
            self.assertEqual([], problems, "line %d: %s" % (n, json.dumps(line)[:300]))

    def test_every_fixture_line_matches_its_schema_and_every_type_has_one(self):
        for schema, fixture in (("serve-requests.schema.json", "serve_requests.jsonl"),
                                ("serve-results.schema.json", "serve_results.jsonl")):
            validator, types = self.validator(schema)
            lines = self.fixture(fixture)
            self.assertValid(validator, lines)
            self.assertEqual(types, {line["type"] for line in lines}, fixture)

    def test_the_schemas_refuse_what_the_worker_refuses(self):
        requests, _ = self.validator("serve-requests.schema.json")
        results, _ = self.validator("serve-results.schema.json")
        both = {"type": "generate", "id": "x", "prompt": "a", "prompt_ids": [1], "max_tokens": 1}
        off_grid = dict(self.fixture("serve_requests.jsonl")[0], width=65)
        no_pixels = {"type": "images", "id": "r", "compute_ns": 1, "images": [{"width": 1, "height": 1}]}
        file_without_path = dict(self.fixture("serve_requests.jsonl")[0], format="file")

        self.assertTrue(list(requests.iter_errors(both)))
        self.assertTrue(list(requests.iter_errors(off_grid)))
        self.assertTrue(list(results.iter_errors(no_pixels)))
        self.assertTrue(list(requests.iter_errors(file_without_path)))

    def test_what_the_worker_writes_matches_the_results_schema(self):
        validator, _ = self.validator("serve-results.schema.json")
        _, text = run(OPT, {"type": "generate", "id": "g", "prompt": "hi", "max_tokens": 2, "stream": True}, "bad")
        _, images = run(SD, {"type": "images", "id": "i", "prompts": ["x"], "seeds": [1], "width": 16, "height": 16,
                             "steps": 1, "format": "png"})
        with tempfile.NamedTemporaryFile() as f:
            _, by_file = run(SD, {"type": "images", "id": "i", "prompts": ["x"], "seeds": [1], "width": 16,
                                  "height": 16, "steps": 1, "format": "file", "pixels_file": f.name})
        images += [m for m in by_file if m["type"] == "images"]
        self.assertIn("pixels_file", images[-1])
        _, fatal = run("nobody/no-such-model")

        self.assertEqual({"ready", "token", "completion", "error", "images", "fatal"},
                         {m["type"] for m in text + images + fatal})
        self.assertValid(validator, text + images + fatal)


if __name__ == "__main__":
    unittest.main()


class ChannelsLastRuleTest(unittest.TestCase):
    def test_channels_last_only_for_the_sd_unet_on_cuda_at_batch_one_as_run_picks_it(self):
        from genbench_worker.serve import channels_last_for

        self.assertTrue(channels_last_for("sd", True, 1))
        self.assertFalse(channels_last_for("sd", True, 8))
        self.assertFalse(channels_last_for("sd", False, 1))
        self.assertFalse(channels_last_for("sdxl", True, 1))

    def test_the_worker_takes_the_servers_largest_batch(self):
        from genbench_worker.serve import parse_args

        self.assertEqual(8, parse_args(["--model", "m", "--max-batch", "8"]).max_batch)
        self.assertEqual(1, parse_args(["--model", "m"]).max_batch)


class HostPixelsTest(unittest.TestCase):
    def test_the_pixels_leave_as_to_uint8_makes_them_one_contiguous_nhwc_uint8_tensor(self):
        import torch
        from genbench_worker.scenarios.diffusion import to_uint8

        server = serve.Server.__new__(serve.Server)
        server.torch, server._pinned = torch, None
        images = torch.linspace(-1.3, 1.3, 2 * 3 * 5 * 7).reshape(2, 3, 5, 7)

        host = server.host_pixels(images)

        self.assertEqual(torch.uint8, host.dtype)
        self.assertEqual((2, 5, 7, 3), tuple(host.shape))
        self.assertTrue(host.is_contiguous())
        self.assertTrue(torch.equal(to_uint8(images), host))
        self.assertEqual(0, int(host.min()))  # clamped below -1 and above 1
        self.assertEqual(255, int(host.max()))
