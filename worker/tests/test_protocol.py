"""The event wire: fixtures shared with the Java side validate, emitted events round-trip, cases parse."""

import glob
import io
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(REPO, "protocol", "fixtures")
sys.path.insert(0, SRC)

from genbench_worker import protocol  # noqa: E402
from genbench_worker.case import Case, CaseError, Job, place  # noqa: E402
from genbench_worker.protocol import (  # noqa: E402
    Done, EventStream, Failed, Flops, Hello, Loaded, Memory, Profile, ProtocolError, Sample, Telemetry, Warmed, Warmup,
    parse_event)

CASE_ID = "sd-2-1-g5xlarge-b1-s3-float32"


def every_event():
    return [
        Hello(worker_version="0.1.0", python="3.11.2", torch="1.13.0", cuda=None, device="cpu", devices=[],
              driver=None, hostname="ci"),
        Hello(worker_version="0.1.0", python="3.12.3", torch="2.11.0", cuda="13.0", device="cuda",
              devices=[{"index": 0, "name": "NVIDIA H200", "memory_bytes": 150754820096, "capability": "9.0"}],
              driver="580.95.05", hostname="gpu-1"),
        Loaded(case_id=CASE_ID, load_ns=812000000, weights="random", parameters=3, components={"unet": 3}),
        Warmup(case_id=CASE_ID, iteration=0, e2e_ns=41000000),
        Warmed(case_id=CASE_ID, iterations=4, steady=True, window=3, tolerance=0.05, spread=0.01),
        Warmed(case_id=CASE_ID, iterations=0, steady=False, window=3, tolerance=0.05, spread=None),
        Flops(case_id=CASE_ID, method="torch.utils.flop_counter", flops_per_request=10, flops_per_step=3),
        Flops(case_id=CASE_ID, method="torch.utils.flop_counter", flops_per_token=7, decode_bytes_per_step=9),
        Profile(case_id=CASE_ID, method="torch.profiler", step_wall_ns=[10, 10], step_kernel_ns=[9, 8],
                busy_fraction=0.85),
        Profile(case_id=CASE_ID, method="torch.profiler", step_wall_ns=[10], step_kernel_ns=[0], busy_fraction=None),
        Sample(case_id=CASE_ID, iteration=0, e2e_ns=3, text_encode_ns=1, step_ns=[1, 1], decode_ns=1, images=1),
        Sample(case_id=CASE_ID, iteration=1, e2e_ns=3, text_encode_ns=0, step_ns=[], decode_ns=0, images=0,
               ttft_ns=1, prefill_ns=1, decode_token_ns=[1, 1], tokens=3),
        Memory(case_id=CASE_ID, peak_allocated_bytes=1, peak_reserved_bytes=2, device="cuda"),
        Memory(case_id=CASE_ID, peak_allocated_bytes=1, peak_reserved_bytes=2, device="cuda", kind="cuda"),
        Memory(case_id=CASE_ID, peak_allocated_bytes=5, peak_reserved_bytes=5, device="cpu", kind="rss-delta",
               baseline_bytes=100),
        Telemetry(case_id=CASE_ID, t_ns=5, gpu_util_pct=97.0, memory_used_pct=12.5, power_w=412.3),
        Failed(case_id=CASE_ID, kind="gpu_out_of_memory", message="CUDA out of memory"),
        Done(case_id=CASE_ID),
        Done(case_id=CASE_ID, phases={"setup": 1, "build": 2, "prepare": 3, "warmup": 4, "measure": 5, "profile": 6,
                                      "flops": 7, "finish": 0}),
    ]


class FixtureTest(unittest.TestCase):

    def test_every_fixture_line_is_a_valid_event(self):
        files = sorted(glob.glob(os.path.join(FIXTURES, "*.jsonl")))

        self.assertTrue(files, "no fixtures under %s" % FIXTURES)
        for path in files:
            with open(path) as f:
                for n, line in enumerate(f, 1):
                    if line.strip():
                        with self.subTest(file=os.path.basename(path), line=n):
                            parse_event(line)

    def test_fixture_streams_start_with_hello_and_end_every_case_with_done(self):
        for path in sorted(glob.glob(os.path.join(FIXTURES, "*.jsonl"))):
            with open(path) as f:
                events = [json.loads(line) for line in f if line.strip()]

            self.assertEqual("hello", events[0]["type"], path)
            # a kept worker's stream (--jobs-stdin) ends each job with job_done, after the job's last done
            cases = [e for e in events if e["type"] != "job_done"]
            self.assertEqual("done", cases[-1]["type"], path)
            if len(cases) < len(events):
                self.assertEqual("job_done", events[-1]["type"], path)

    def test_the_fixtures_show_every_event_type_the_worker_emits(self):
        seen = set()
        for path in sorted(glob.glob(os.path.join(FIXTURES, "*.jsonl"))):
            with open(path) as f:
                seen.update(json.loads(line)["type"] for line in f if line.strip())

        self.assertEqual(set(protocol._REQUIRED), seen)

    def test_fixture_job_parses_into_cases(self):
        with open(os.path.join(FIXTURES, "job.json")) as f:
            job = Job.from_json(f.read())

        self.assertEqual([CASE_ID], [c.id for c in job.cases])
        self.assertTrue(job.cases[0].tiny)
        self.assertTrue(job.cases[0].workload.uses_cfg)


class EmitTest(unittest.TestCase):

    def test_every_event_type_round_trips_through_parse_event(self):
        for event in every_event():
            with self.subTest(event=event.TYPE):
                parsed = parse_event(event.to_json())

                self.assertEqual(event.to_dict(), parsed)
                self.assertEqual(event.TYPE, parsed["type"])

    def test_emit_writes_one_compact_line_per_event_and_flushes(self):
        sink = io.BytesIO()
        sink.mode = "wb"
        stream = EventStream(sink)

        stream.emit(Done(case_id="a"))
        stream.emit(Warmup(case_id="a", iteration=0, e2e_ns=5))

        lines = sink.getvalue().decode().splitlines()
        self.assertEqual(['{"type":"done","case_id":"a"}',
                          '{"type":"warmup","case_id":"a","iteration":0,"e2e_ns":5}'], lines)

    def test_image_samples_leave_out_llm_fields(self):
        event = Sample(case_id="a", iteration=0, e2e_ns=1, text_encode_ns=0, step_ns=[], decode_ns=0, images=1)

        self.assertNotIn("ttft_ns", event.to_dict())

    def test_failed_refuses_an_unknown_kind(self):
        with self.assertRaises(ValueError):
            Failed(case_id="a", kind="oops", message="")

    def test_claim_stdout_keeps_stray_prints_out_of_the_event_stream(self):
        code = ("import os, sys\n"
                "from genbench_worker import protocol\n"
                "events = protocol.claim_stdout()\n"
                "print('stray print')\n"
                "os.write(1, b'stray fd write\\n')\n"
                "events.emit(protocol.Done(case_id='x'))\n")
        env = dict(os.environ, PYTHONPATH=SRC)

        out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=60)

        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual(b'{"type":"done","case_id":"x"}\n', out.stdout)
        self.assertIn(b"stray print", out.stderr)
        self.assertIn(b"stray fd write", out.stderr)


class ParseEventTest(unittest.TestCase):

    def reject(self, line):
        with self.assertRaises(ProtocolError):
            parse_event(line)

    def test_rejects_a_missing_field(self):
        self.reject('{"type":"warmup","case_id":"a","iteration":0}')

    def test_rejects_nanoseconds_that_are_not_integers(self):
        self.reject('{"type":"warmup","case_id":"a","iteration":0,"e2e_ns":1.5}')
        self.reject('{"type":"sample","case_id":"a","iteration":0,"phase":"measure","e2e_ns":1,'
                    '"text_encode_ns":0,"step_ns":[1.0],"decode_ns":0,"images":1}')

    def test_rejects_negative_nanoseconds(self):
        self.reject('{"type":"warmup","case_id":"a","iteration":0,"e2e_ns":-1}')

    def test_rejects_a_negative_sequence_number_or_step_time(self):
        base = ('{"type":"sample","case_id":"a","iteration":0,"phase":"measure","e2e_ns":1,'
                '"text_encode_ns":0,"decode_ns":0,"images":1,')
        parse_event(base + '"step_ns":[1],"seq":0}')
        self.reject(base + '"step_ns":[1],"seq":-1}')
        self.reject(base + '"step_ns":[-1],"seq":0}')

    def test_rejects_a_sample_without_e2e(self):
        self.reject('{"type":"sample","case_id":"a","iteration":0,"phase":"measure",'
                    '"text_encode_ns":0,"step_ns":[1],"decode_ns":0,"images":1,"seq":0}')

    def test_rejects_an_unknown_failure_kind(self):
        self.reject('{"type":"failed","case_id":"a","kind":"oops","message":""}')

    def test_rejects_an_unknown_type_and_unknown_fields(self):
        self.reject('{"type":"nope"}')
        self.reject('{"type":"done","case_id":"a","extra":1}')

    def test_rejects_an_unknown_or_negative_phase_in_done(self):
        parse_event('{"type":"done","case_id":"a","phases":{"build":1,"warmup":0}}')
        self.reject('{"type":"done","case_id":"a","phases":{"compile":1}}')
        self.reject('{"type":"done","case_id":"a","phases":{"build":-1}}')
        self.reject('{"type":"done","case_id":"a","phases":{"build":1.5}}')
        self.reject('{"type":"done","case_id":"a","phases":[]}')

    def test_accepts_unknown_fields_when_not_strict(self):
        event = parse_event('{"type":"done","case_id":"a","extra":1}', strict=False)

        self.assertEqual({"type": "done", "case_id": "a", "extra": 1}, event)

    def test_rejects_non_json_and_events_without_case_id(self):
        self.reject("hello")
        self.reject('{"type":"done"}')

    def test_rejects_a_profile_whose_lists_differ_in_length(self):
        self.reject('{"type":"profile","case_id":"a","method":"torch.profiler","step_wall_ns":[1,2],'
                    '"step_kernel_ns":[1],"busy_fraction":0.5}')

    def test_rejects_an_unknown_memory_kind(self):
        self.reject('{"type":"memory","case_id":"a","peak_allocated_bytes":1,"peak_reserved_bytes":1,'
                    '"device":"cpu","kind":"maxrss"}')

    def test_warmed_needs_a_spread_even_when_it_is_null(self):
        self.reject('{"type":"warmed","case_id":"a","iterations":0,"steady":false,"window":3,"tolerance":0.05}')
        event = parse_event('{"type":"warmed","case_id":"a","iterations":0,"steady":false,"window":3,'
                            '"tolerance":0.05,"spread":null}')

        self.assertIn("spread", event)
        self.assertIsNone(event["spread"])

    def test_a_memory_event_from_an_older_worker_without_kind_is_accepted(self):
        event = parse_event('{"type":"memory","case_id":"a","peak_allocated_bytes":1,"peak_reserved_bytes":1,'
                            '"device":"cpu"}')

        self.assertNotIn("kind", event)

    def test_rejects_a_booleans_as_integers(self):
        self.reject('{"type":"warmup","case_id":"a","iteration":true,"e2e_ns":1}')


class CaseTest(unittest.TestCase):

    def fixture_case(self):
        with open(os.path.join(FIXTURES, "job.json")) as f:
            return json.load(f)["cases"][0]

    def test_unknown_fields_are_rejected_by_name(self):
        data = dict(self.fixture_case(), batchsize=2)

        with self.assertRaises(CaseError) as ctx:
            Case.from_dict(data)

        self.assertIn("batchsize", str(ctx.exception))
        self.assertIn("batch_size", str(ctx.exception))

    def test_out_of_range_values_are_rejected(self):
        for field, value in [("batch_size", 0), ("width", 100), ("height", 4), ("precision", "int8"),
                             ("scheduler", "pndm"), ("max_iterations", 1), ("min_duration_s", -1),
                             ("warmup_iterations", -1), ("frames", 0), ("batch_size", 1.5), ("compile", 1),
                             ("attention", "flash")]:
            with self.subTest(field=field, value=value):
                data = place(self.fixture_case(), min_iterations=2, **{field: value})
                with self.assertRaises(CaseError):
                    Case.from_dict(data)

    def test_integral_numbers_are_accepted_where_floats_are_expected(self):
        case = Case.from_dict(place(self.fixture_case(), guidance_scale=7, min_duration_s=0))

        self.assertEqual(7.0, case.workload.guidance_scale)
        self.assertIsInstance(case.workload.guidance_scale, float)

    def test_a_hand_written_case_needs_only_id_and_model(self):
        case = Case.from_dict({"id": "x", "model": "facebook/opt-125m"})

        self.assertEqual(1, case.batch_size)
        with self.assertRaises(CaseError):
            Case.from_dict({"id": "x"})

    def test_a_job_rejects_duplicate_ids_and_other_protocols(self):
        case = self.fixture_case()

        with self.assertRaises(CaseError):
            Job.from_dict({"protocol": 1, "cases": [case, case]})
        with self.assertRaises(CaseError):
            Job.from_dict({"protocol": 2, "cases": [case]})
        with self.assertRaises(CaseError):
            Job.from_json("{not json")

    def test_case_round_trips_through_a_dict(self):
        case = Case.from_dict(self.fixture_case())

        self.assertEqual(case, Case.from_dict(case.to_dict()))
        self.assertEqual(self.fixture_case(), case.to_dict())


if __name__ == "__main__":
    unittest.main()
