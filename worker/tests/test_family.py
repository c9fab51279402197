"""Model families as a str enum: the wire, the messages and comparisons with plain strings read as before."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from genbench_worker.models.family import Family  # noqa: E402


class FamilyTest(unittest.TestCase):

    def test_a_family_is_written_as_its_wire_spelling_in_json_messages_and_formats(self):
        self.assertEqual('{"family": "svd"}', json.dumps({"family": Family.SVD}))
        self.assertEqual("a svd model", "a %s model" % Family.SVD)
        self.assertEqual("opt|", "{}|".format(Family.OPT))
        self.assertEqual("sdxl", str(Family.SDXL))

    def test_a_family_equals_and_hashes_as_its_spelling(self):
        self.assertEqual("sd", Family.SD)
        self.assertEqual(1, {Family.SD: 1}.get("sd"))
        self.assertIs(Family.OPT, Family.of("opt"))

    def test_only_opt_is_not_diffusion_and_only_svd_is_video(self):
        self.assertEqual([Family.OPT], [f for f in Family if not f.is_diffusion])
        self.assertEqual([Family.SVD], [f for f in Family if f.is_video])

    def test_an_unknown_family_is_named_with_the_known_ones(self):
        with self.assertRaises(ValueError) as e:
            Family.of("flux")
        self.assertEqual("unknown model family 'flux'; known: sd, sdxl, svd, opt", str(e.exception))


if __name__ == "__main__":
    unittest.main()
