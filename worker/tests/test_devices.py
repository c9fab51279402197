"""The device kind, from a torch.device or its spelling, as every module asks for it."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import torch  # noqa: E402

from genbench_worker.devices import device_type, is_cuda  # noqa: E402


class DeviceTypeTest(unittest.TestCase):

    def test_a_torch_device_and_its_spelling_have_the_same_kind(self):
        for device in (torch.device("cuda", 1), "cuda:1", "cuda", torch.device("cpu"), "cpu", torch.device("meta")):
            with self.subTest(device=str(device)):
                self.assertEqual(torch.device(device).type, device_type(device))

    def test_only_cuda_devices_are_cuda(self):
        self.assertEqual([True, True, False, False],
                         [is_cuda(d) for d in (torch.device("cuda", 0), "cuda:3", torch.device("cpu"), "cpu")])


if __name__ == "__main__":
    unittest.main()
