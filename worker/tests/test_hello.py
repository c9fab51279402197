"""The `hello` event, built outside the entry point: the worker's versions and where it runs."""

import os
import platform
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import torch  # noqa: E402

from genbench_worker import __version__  # noqa: E402
from genbench_worker.hello import hello  # noqa: E402
from genbench_worker.protocol import parse_event  # noqa: E402


class HelloTest(unittest.TestCase):

    def test_on_cpu_hello_names_the_versions_and_no_gpu_or_driver(self):
        event = parse_event(hello(torch.device("cpu")).to_json())

        self.assertEqual(("hello", "cpu", [], None, None), (event["type"], event["device"], event["devices"],
                                                            event["driver"], event["cuda"]))
        self.assertEqual((__version__, platform.python_version(), torch.__version__),
                         (event["worker_version"], event["python"], event["torch"]))


if __name__ == "__main__":
    unittest.main()
