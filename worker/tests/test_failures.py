"""Exceptions become failure kinds: OOM and unsupported configurations are findings, the rest errors."""

import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
JAVA_FAILURE_KIND = os.path.join(REPO, "src", "main", "java", "io", "genbench", "wire", "FailureKind.java")
sys.path.insert(0, os.path.join(HERE, "..", "src"))

import torch  # noqa: E402

from genbench_worker import failures  # noqa: E402
from genbench_worker.failures import Terminated, Unsupported, classify, describe  # noqa: E402
from genbench_worker.protocol import Failed, FailureKind  # noqa: E402


class ClassifyTest(unittest.TestCase):

    def test_cuda_out_of_memory_message_is_a_gpu_oom(self):
        exc = RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 22.20 GiB total capacity)")

        self.assertEqual("gpu_out_of_memory", classify(exc))
        self.assertTrue(describe(exc).startswith("CUDA out of memory. Tried to allocate 2.00 GiB"))

    def test_the_allocator_advice_is_left_out_of_the_message(self):
        exc = RuntimeError("CUDA out of memory. Tried to allocate 10.00 GiB. GPU 0 has a total capacity of 79.18 GiB "
                           "of which 7.45 GiB is free. If reserved but unallocated memory is large try setting "
                           "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True")

        self.assertEqual("CUDA out of memory. Tried to allocate 10.00 GiB. GPU 0 has a total capacity of 79.18 GiB "
                         "of which 7.45 GiB is free.", describe(exc))

    def test_hip_and_cuda_error_out_of_memory_are_gpu_ooms(self):
        for text in ("HIP out of memory. Tried to allocate 20.00 MiB",
                     "CUDA error: out of memory\nCUDA kernel errors might be asynchronously reported",
                     "CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"):
            with self.subTest(text=text):
                self.assertEqual("gpu_out_of_memory", classify(RuntimeError(text)))

    def test_torch_out_of_memory_error_type_is_a_gpu_oom(self):
        cls = getattr(torch.cuda, "OutOfMemoryError", None)
        if cls is None:
            self.skipTest("torch %s has no torch.cuda.OutOfMemoryError" % torch.__version__)

        self.assertEqual("gpu_out_of_memory", classify(cls("Tried to allocate 1 GiB")))

    def test_unknown_model_is_unsupported(self):
        try:
            from genbench_worker.models import registry
        except ImportError as e:
            self.skipTest("registry not importable: %s" % e)

        with self.assertRaises(registry.UnsupportedModel) as ctx:
            registry.spec("nobody/no-such-model")

        self.assertEqual("unsupported", classify(ctx.exception))

    def test_missing_half_kernels_are_unsupported(self):
        exc = RuntimeError("\"slow_conv2d_cpu\" not implemented for 'Half'")

        self.assertEqual("unsupported", classify(exc))
        self.assertEqual("unsupported", classify(RuntimeError("\"LayerNormKernelImpl\" not implemented for 'BFloat16'")))

    def test_float16_convolution_on_this_cpu_torch_is_unsupported_when_it_fails(self):
        x = torch.zeros(1, 1, 4, 4, dtype=torch.float16)
        w = torch.zeros(1, 1, 3, 3, dtype=torch.float16)
        try:
            torch.nn.functional.conv2d(x, w)
        except Exception as e:  # torch 1.13 on CPU: not implemented for 'Half'
            self.assertEqual("unsupported", classify(e))
        else:
            self.skipTest("torch %s runs float16 conv2d on CPU" % torch.__version__)

    def test_an_unsupported_knob_is_unsupported(self):
        self.assertEqual("unsupported", classify(Unsupported("cuda_graphs needs a CUDA device")))

    def test_host_memory_errors_are_worker_errors_that_say_so(self):
        for exc in (MemoryError(), RuntimeError("[enforce fail at alloc_cpu.cpp:75] DefaultCPUAllocator: "
                                                "can't allocate memory: you tried to allocate 1 bytes")):
            with self.subTest(exc=repr(exc)):
                self.assertEqual("worker_error", classify(exc))
                self.assertIn("host memory", describe(exc))

    def test_anything_else_is_a_worker_error_naming_the_exception_type(self):
        exc = ValueError("bad shape")

        self.assertEqual("worker_error", classify(exc))
        self.assertEqual("ValueError: bad shape", describe(exc))
        self.assertEqual("worker_error", classify(RuntimeError("mat1 and mat2 shapes cannot be multiplied")))

    def test_termination_is_an_infrastructure_failure(self):
        self.assertEqual("infrastructure", classify(Terminated("terminated by signal 15 (SIGTERM)")))

    def test_long_messages_are_cut(self):
        message = describe(ValueError("x" * 10000))

        self.assertLessEqual(len(message), failures.MAX_MESSAGE_CHARS)
        self.assertTrue(message.endswith("..."))

    def test_release_memory_frees_what_a_failed_case_left_in_reference_cycles_without_a_gpu(self):
        import weakref

        class Frame:  # a failed iteration's frame: it refers to itself through its traceback-like cycle
            pass

        import gc

        gc.disable()  # only release_memory may collect the cycle
        self.addCleanup(gc.enable)
        frame = Frame()
        frame.cycle = frame
        frame.tensor = torch.zeros(1000)
        alive = weakref.ref(frame)
        del frame
        self.assertIsNotNone(alive())

        failures.release_memory()

        self.assertIsNone(alive())


class FailureKindTest(unittest.TestCase):

    def test_classify_answers_with_the_enum_whose_value_is_the_wire_spelling(self):
        kind = classify(RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"))

        self.assertIs(FailureKind.GPU_OUT_OF_MEMORY, kind)
        self.assertEqual("gpu_out_of_memory", kind.value)
        self.assertEqual("gpu_out_of_memory", str(kind))
        self.assertEqual("(gpu_out_of_memory)", "(%s)" % kind)
        self.assertEqual("gpu_out_of_memory", f"{kind}")

    def test_only_gpu_out_of_memory_and_unsupported_are_findings(self):
        findings = {k for k in FailureKind if k.is_finding}

        self.assertEqual({FailureKind.GPU_OUT_OF_MEMORY, FailureKind.UNSUPPORTED}, findings)

    def test_a_failed_event_takes_the_wire_string_or_the_kind_and_writes_the_same_line(self):
        line = '{"type":"failed","case_id":"a","kind":"unsupported","message":"m"}'

        from_string = Failed(case_id="a", kind="unsupported", message="m")
        from_kind = Failed(case_id="a", kind=FailureKind.UNSUPPORTED, message="m")

        self.assertIs(FailureKind.UNSUPPORTED, from_string.kind)
        self.assertEqual(line, from_string.to_json())
        self.assertEqual(line, from_kind.to_json())
        self.assertIs(str, type(from_kind.to_dict()["kind"]))

    def test_describe_accepts_the_wire_string_for_a_kind(self):
        exc = RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB. See documentation for Memory Management")

        self.assertEqual(describe(exc, FailureKind.GPU_OUT_OF_MEMORY), describe(exc, "gpu_out_of_memory"))
        self.assertEqual("CUDA out of memory. Tried to allocate 2.00 GiB.", describe(exc, "gpu_out_of_memory"))

    def test_the_kinds_and_their_findings_are_those_of_the_java_enum(self):
        with open(JAVA_FAILURE_KIND, encoding="utf-8") as f:
            java = f.read()
        # GPU_OUT_OF_MEMORY("gpu_out_of_memory", "OOM", true),
        constants = re.findall(r'^\s*([A-Z_]+)\("([a-z_]+)",\s*"[^"]*",\s*(true|false)[,)]', java, re.MULTILINE)
        self.assertGreaterEqual(len(constants), 8, "cannot read the constants of " + JAVA_FAILURE_KIND)

        self.assertEqual([(name, wire, finding == "true") for name, wire, finding in constants],
                         [(k.name, k.value, k.is_finding) for k in FailureKind])


if __name__ == "__main__":
    unittest.main()
