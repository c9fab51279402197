"""The wire as protocol/schema describes it: the shared fixtures, the fixture job and what the worker really emits
validate against the same JSON Schemas the Java side (ProtocolSchemaTest) uses.

Needs the `jsonschema` package (Debian: python3-jsonschema; scripts/test installs it). Without it these tests skip,
unless GENBENCH_REQUIRE_SCHEMA=1 (scripts/test sets it), where they fail saying what to install.
"""

import copy
import dataclasses
import glob
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", "src"))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(REPO, "protocol", "fixtures")
SCHEMAS = os.path.join(REPO, "protocol", "schema")
SCHEMA_FIXTURES = os.path.join(SCHEMAS, "fixtures")
sys.path.insert(0, SRC)
sys.path.insert(0, HERE)

from genbench_worker.case import place  # noqa: E402

try:
    import jsonschema
except ImportError as e:  # reported by require_jsonschema(), per test
    jsonschema = None
    JSONSCHEMA_ERROR = str(e)


def require_jsonschema(test: unittest.TestCase) -> None:
    if jsonschema is not None:
        return
    why = ("the jsonschema package is not importable under %s (%s): install python3-jsonschema (Debian) or "
           "'%s -m pip install jsonschema'" % (sys.executable, JSONSCHEMA_ERROR, sys.executable))
    if os.environ.get("GENBENCH_REQUIRE_SCHEMA") == "1":
        test.fail("GENBENCH_REQUIRE_SCHEMA=1 but " + why)
    test.skipTest(why)


def load(name):
    with open(os.path.join(SCHEMAS, name), encoding="utf-8") as f:
        return json.load(f)


_VALIDATORS = {}


def validator(name):
    """A draft 2020-12 validator for protocol/schema/NAME. Each schema gets its file: URI as $id (in memory), so the
    relative $ref from suite-events.schema.json to events.schema.json resolves to the file next to it."""
    if name not in _VALIDATORS:
        names = ("events.schema.json", "suite-events.schema.json", "job.schema.json")
        uris = {n: pathlib.Path(SCHEMAS, n).resolve().as_uri() for n in names}
        schemas = {n: dict(load(n), **{"$id": uris[n]}) for n in names}
        cls = jsonschema.Draft202012Validator
        cls.check_schema(schemas[name])
        try:  # jsonschema >= 4.18
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012

            registry = Registry().with_resources(
                [(uris[n], Resource.from_contents(s, default_specification=DRAFT202012)) for n, s in schemas.items()])
            _VALIDATORS[name] = cls(schemas[name], registry=registry)
        except ImportError:  # older jsonschema (Debian bookworm: 4.10)
            store = {uris[n]: s for n, s in schemas.items()}
            resolver = jsonschema.RefResolver(base_uri=uris[name], referrer=schemas[name], store=store)
            _VALIDATORS[name] = cls(schemas[name], resolver=resolver)
    return _VALIDATORS[name]


def errors(name, instance):
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)", e.message)
            for e in validator(name).iter_errors(instance)]


def event_fixtures():
    return sorted(glob.glob(os.path.join(FIXTURES, "*.jsonl"))) + [
        os.path.join(SCHEMA_FIXTURES, "controller_events.jsonl")]


def suite_fixtures():
    return [os.path.join(SCHEMA_FIXTURES, "suite_events.jsonl")]


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def schema_types(name):
    return set(load(name)["properties"]["type"]["enum"])


class SchemaTestCase(unittest.TestCase):
    def setUp(self):
        require_jsonschema(self)

    def assertValid(self, name, instance, where=""):
        problems = errors(name, instance)
        self.assertEqual([], problems, "%s %s" % (where, json.dumps(instance)[:500]))


class FixtureSchemaTest(SchemaTestCase):

    def test_every_fixture_line_matches_the_event_schema(self):
        self.assertTrue(glob.glob(os.path.join(FIXTURES, "*.jsonl")), "no fixtures under %s" % FIXTURES)
        for path in event_fixtures():
            for n, event in enumerate(read_lines(path), 1):
                with self.subTest(file=os.path.relpath(path, REPO), line=n):
                    self.assertValid("events.schema.json", event)

    def test_every_suite_fixture_line_matches_the_suite_schema(self):
        for path in suite_fixtures():
            for n, event in enumerate(read_lines(path), 1):
                with self.subTest(file=os.path.relpath(path, REPO), line=n):
                    self.assertValid("suite-events.schema.json", event)

    def test_the_fixture_job_matches_the_job_schema(self):
        with open(os.path.join(FIXTURES, "job.json"), encoding="utf-8") as f:
            self.assertValid("job.schema.json", json.load(f))

    def test_every_event_type_the_schemas_name_appears_in_a_fixture(self):
        seen = {e["type"] for path in event_fixtures() for e in read_lines(path)}
        suite_seen = {e["type"] for path in suite_fixtures() for e in read_lines(path)}

        self.assertEqual(set(), schema_types("events.schema.json") - seen)
        self.assertEqual(set(), schema_types("suite-events.schema.json") - suite_seen)


class RefusalTest(SchemaTestCase):
    """The schemas must bite: lines the protocol forbids fail validation."""

    def fixture_sample(self):
        sample = read_lines(os.path.join(FIXTURES, "diffusion_success.jsonl"))[3]
        self.assertEqual("sample", sample["type"])
        return sample

    def fixture_job(self):
        with open(os.path.join(FIXTURES, "job.json"), encoding="utf-8") as f:
            return json.load(f)

    def test_a_sample_with_a_string_e2e_is_refused(self):
        sample = self.fixture_sample()
        self.assertValid("events.schema.json", sample)
        sample["e2e_ns"] = "30000000"

        self.assertTrue(any("e2e_ns" in e for e in errors("events.schema.json", sample)))

    def test_a_fractional_nanosecond_count_is_refused(self):
        sample = self.fixture_sample()
        sample["step_ns"] = [8000000.5]

        self.assertTrue(errors("events.schema.json", sample))

    def test_a_failed_with_an_unknown_kind_is_refused(self):
        failed = {"type": "failed", "case_id": "c", "kind": "out_of_luck", "message": "m"}

        self.assertTrue(any("kind" in e for e in errors("events.schema.json", failed)))
        self.assertTrue(errors("suite-events.schema.json",
                               {"type": "suite_failed", "experiment": "tp", "kind": "out_of_luck", "message": "m"}))

    def test_an_unknown_type_and_a_missing_case_id_are_refused(self):
        self.assertTrue(errors("events.schema.json", {"type": "finished", "case_id": "c"}))
        self.assertTrue(errors("events.schema.json", {"type": "done"}))

    def test_unknown_event_fields_are_allowed_for_forward_compatibility(self):
        self.assertValid("events.schema.json", {"type": "done", "case_id": "c", "added_later": 1})

    def test_a_job_case_without_id_is_refused(self):
        job = self.fixture_job()
        del job["cases"][0]["id"]

        self.assertTrue(any("'id'" in e for e in errors("job.schema.json", job)))

    def test_a_job_case_with_an_unknown_field_is_refused(self):
        job = self.fixture_job()
        job["cases"][0]["inference_step"] = 20

        self.assertTrue(any("inference_step" in e for e in errors("job.schema.json", job)))


class WorkerAgreesWithTheSchemaTest(SchemaTestCase):
    """The schema and the worker's own constants name the same things."""

    def test_the_failure_kinds_are_the_workers_enum(self):
        from genbench_worker import protocol

        kinds = set(load("events.schema.json")["$defs"]["failure_kind"]["enum"])

        # the worker's enum names every kind, skipped (decided by the controller) included
        self.assertEqual(kinds, set(protocol.FAILURE_KINDS))

    def test_the_case_schema_has_exactly_the_workers_case_fields_and_choices(self):
        from genbench_worker import case

        defs = load("job.schema.json")["$defs"]
        # each group: the schema's properties are the dataclass's fields (a workload's plus its kind); optional: what a
        # job written before them still runs without (with the worker's defaults)
        for name, cls, extra, optional in [("case", case.Case, set(), {"backend"}),
                                           ("diffusion", case.Diffusion, {"kind"}, set()),
                                           ("llm", case.Llm, {"kind"}, set()),
                                           ("knobs", case.Knobs, set(), set()),
                                           ("measure", case.Measure, set(), {"target_ci_pct", "max_measure_s"})]:
            with self.subTest(group=name):
                fields = {f.name for f in dataclasses.fields(cls)} | extra
                self.assertEqual(fields, set(defs[name]["properties"]))
                self.assertEqual(fields - optional, set(defs[name]["required"]))
        self.assertEqual(set(case.WORKLOADS), {defs[k]["properties"]["kind"]["const"] for k in ("diffusion", "llm")})
        self.assertEqual(set(case.PRECISIONS), set(defs["case"]["properties"]["precision"]["enum"]))
        self.assertEqual(set(case.SCHEDULERS), set(defs["diffusion"]["properties"]["scheduler"]["enum"]))
        self.assertEqual(set(case.ATTENTIONS), set(defs["knobs"]["properties"]["attention"]["enum"]))

    def test_the_worker_accepts_every_case_the_job_schema_accepts(self):
        from genbench_worker.case import Job

        with open(os.path.join(FIXTURES, "job.json"), encoding="utf-8") as f:
            job = json.load(f)
        every_knob = copy.deepcopy(job)
        every_knob["cases"][0] = place(job["cases"][0], cuda_graphs="auto", channels_last=True, frames=14,
                                       backend="diffusers", weights="/models/sd", save_images="/tmp/out")
        llm = copy.deepcopy(job)
        llm["cases"][0] = dict(job["cases"][0], model="facebook/opt-125m",
                               workload={"kind": "llm", "prompt_tokens": 8, "output_tokens": 3})
        for data in (job, every_knob, llm):
            with self.subTest(case=data["cases"][0]):
                self.assertValid("job.schema.json", data)
                Job.from_dict(data)  # raises CaseError where the worker disagrees


def small_job(tmp):
    """The fixture job cut to a few iterations, plus an LLM case and a case the worker refuses on this device."""
    with open(os.path.join(FIXTURES, "job.json"), encoding="utf-8") as f:
        job = json.load(f)
    sd = place(job["cases"][0], warmup_iterations=1, max_warmup_iterations=2, min_iterations=1, max_iterations=2)
    opt = dict(sd, id="opt-125m-cpu-b1-p8-o3-float32", model="facebook/opt-125m",
               workload={"kind": "llm", "prompt_tokens": 8, "output_tokens": 3})
    refused = place(dict(sd, id="sd-2-1-cpu-graphs"), cuda_graphs=True)  # CUDA graphs on a CPU: failed unsupported + done
    job["cases"] = [sd, opt, refused]
    path = os.path.join(tmp, "job.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(job, f)
    return job, path


class RealWorkerOutputTest(SchemaTestCase):
    """What `python3 -m genbench_worker` writes on stdout, byte for byte as the controller reads it."""

    def setUp(self):
        super().setUp()
        try:
            from genbench_worker.models import registry  # noqa: F401
        except ImportError as e:
            self.skipTest("genbench_worker.models.registry is not importable: %s" % e)

    def test_every_line_the_worker_writes_for_a_job_matches_the_schema(self):
        with tempfile.TemporaryDirectory() as tmp:
            job, path = small_job(tmp)
            self.assertValid("job.schema.json", job)
            env = dict(os.environ, PYTHONPATH=SRC, GENBENCH_DEVICE="cpu", OMP_NUM_THREADS="2", GENBENCH_PYCACHE="off")
            p = subprocess.run([sys.executable, "-m", "genbench_worker", "--job", path], capture_output=True,
                               text=True, env=env, timeout=300)

        self.assertEqual(0, p.returncode, p.stderr[-3000:])
        events = [json.loads(line) for line in p.stdout.splitlines()]
        for n, event in enumerate(events, 1):
            with self.subTest(line=n, type=event.get("type")):
                self.assertValid("events.schema.json", event)
        types = {e["type"] for e in events}
        self.assertLessEqual({"hello", "loaded", "warmup", "warmed", "sample", "memory", "failed", "done"}, types)
        self.assertEqual(3, sum(1 for e in events if e["type"] == "done"))
        self.assertTrue(any(e["type"] == "sample" and "tokens" in e for e in events), "no LLM sample")

    def test_every_line_a_suite_run_writes_matches_the_suite_schema(self):
        from test_suite import suite

        code, events, err = suite("collectives", nproc=2, operations=["broadcast"], min_bytes=64, max_bytes=64)

        self.assertEqual(0, code, err[-2000:])
        # the interconnect pre-flight's record, then the experiment's
        self.assertEqual(["hello", "suite_start", "record", "record", "suite_done"], [e["type"] for e in events])
        self.assertEqual(["preflight", "collective"], [e["kind"] for e in events if e["type"] == "record"])
        for n, event in enumerate(events, 1):
            with self.subTest(line=n, type=event.get("type")):
                self.assertValid("suite-events.schema.json", event)


if __name__ == "__main__":
    unittest.main()
