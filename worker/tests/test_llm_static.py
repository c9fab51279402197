"""The LLM scenario's static-cache paths on CPU: the static decoder (exact and masked) gives eager's greedy tokens,
and the CUDA-graph bookkeeping (buffers, capture and replay order, one pool, cache length) with a stand-in for
torch.cuda, since there is no CUDA here."""

import os
import sys
import types
import unittest
from contextlib import contextmanager

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import torch  # noqa: E402

from genbench_worker.case import Case  # noqa: E402
from genbench_worker.models import registry  # noqa: E402
from genbench_worker.models.opt import static_mask  # noqa: E402
from genbench_worker.scenarios.llm import DecodeGraphs, LLMScenario, StaticDecoder  # noqa: E402

BATCH, PROMPT, OUTPUT = 2, 7, 6


def tiny_opt():
    torch.manual_seed(0)
    return registry.build("facebook/opt-125m", tiny=True).eval()


def prompt_ids(model, seed=3):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, model.config.vocab_size, (BATCH, PROMPT), generator=generator)


def eager_tokens(model, ids, output_tokens=OUTPUT):
    """Greedy decoding with the growing tuple cache, as the eager path does."""
    with torch.no_grad():
        logits, past = model(ids, past_key_values=None, use_cache=True)
        token = logits[:, -1, :].argmax(dim=-1, keepdim=True)
        out = [token]
        for _ in range(output_tokens - 1):
            logits, past = model(token, past_key_values=past, use_cache=True)
            token = logits[:, -1, :].argmax(dim=-1, keepdim=True)
            out.append(token)
    return torch.cat(out, dim=1)


class FakeGraph:
    def __init__(self, log):
        self.log = log
        self.index = None
        self.on_replay = None

    def replay(self):
        self.log.append(("replay", self.index))
        if self.on_replay is not None:
            self.on_replay(self.index)


class FakeCuda:
    """What DecodeGraphs uses of torch.cuda, recording the order of calls; the 'captured' phase runs eagerly."""

    def __init__(self):
        self.log = []
        self.graphs = []
        self.on_replay = None
        self._stream = "main"

    def Stream(self):  # noqa: N802 (torch.cuda's spelling)
        cuda = self

        class Stream:
            def wait_stream(self, other):
                cuda.log.append(("wait", "side" if self is not other else "self"))
        return Stream()

    def current_stream(self):
        return self

    def wait_stream(self, other):
        self.log.append(("wait", "main"))

    @contextmanager
    def stream(self, s):
        self.log.append(("side-stream", "enter"))
        yield
        self.log.append(("side-stream", "exit"))

    def graph_pool_handle(self):
        self.log.append(("pool",))
        return ("pool", 1)

    def CUDAGraph(self):  # noqa: N802
        g = FakeGraph(self.log)
        g.on_replay = lambda i: self.on_replay(i) if self.on_replay else None
        return g

    @contextmanager
    def graph(self, g, pool=None):
        g.index = len(self.graphs)
        self.graphs.append(g)
        self.log.append(("capture", g.index, pool))
        yield


class StaticDecoderTest(unittest.TestCase):

    def test_the_exact_static_cache_path_gives_the_eager_greedy_tokens(self):
        model = tiny_opt()
        ids = prompt_ids(model)
        with torch.no_grad():
            decoder = StaticDecoder(model, BATCH, PROMPT, OUTPUT)
            decoder.prompt.copy_(ids)
            tokens = decoder.run()

        self.assertEqual(eager_tokens(model, ids).tolist(), tokens.tolist())
        self.assertEqual(PROMPT + OUTPUT, decoder.cache.max_length, "the case's tokens, not max_position_embeddings")
        self.assertEqual(PROMPT + OUTPUT - 1, decoder.cache.length, "the last token is picked, never fed")

    def test_the_masked_whole_cache_step_of_the_compile_path_gives_the_eager_greedy_tokens(self):
        model = tiny_opt()
        ids = prompt_ids(model, seed=5)
        with torch.no_grad():
            decoder = StaticDecoder(model, BATCH, PROMPT, OUTPUT, masked=True)
            decoder.prompt.copy_(ids)
            tokens = decoder.run()
            again = decoder.run()  # a second iteration over the same buffers

        self.assertEqual(eager_tokens(model, ids).tolist(), tokens.tolist())
        self.assertEqual(tokens.tolist(), again.tolist())
        self.assertEqual([PROMPT + i - 1 for i in range(1, OUTPUT)], [int(p) for p in decoder.positions[1:]])

    def test_a_static_mask_hides_the_unwritten_tail_only(self):
        mask = static_mask(6, 3)

        self.assertEqual((1, 1, 1, 6), tuple(mask.shape))
        self.assertEqual([0.0] * 4, mask.flatten()[:4].tolist())
        self.assertTrue(bool((mask.flatten()[4:] == torch.finfo(torch.float32).min).all()))

    def test_every_phase_reads_and_writes_static_buffers_only(self):
        model = tiny_opt()
        with torch.no_grad():
            decoder = StaticDecoder(model, BATCH, PROMPT, OUTPUT)
            addresses = [decoder.prompt.data_ptr()] + [t.data_ptr() for t in decoder.tokens] \
                + [k.data_ptr() for k in decoder.cache.keys]
            decoder.prompt.copy_(prompt_ids(model))
            decoder.run()

        self.assertEqual(OUTPUT, decoder.phases)
        self.assertEqual([(BATCH, 1)] * OUTPUT, [tuple(t.shape) for t in decoder.tokens])
        self.assertEqual(addresses, [decoder.prompt.data_ptr()] + [t.data_ptr() for t in decoder.tokens]
                         + [k.data_ptr() for k in decoder.cache.keys])


class CompilePathTest(unittest.TestCase):

    def test_two_compiles_whatever_the_output_length_logged_and_reused_by_the_next_case(self):
        model = tiny_opt()
        ids = prompt_ids(model, seed=7)
        compiled, logged, extras = [], [], {}

        def compiler(fn, dynamic):
            compiled.append((fn, dynamic))
            return fn  # stands in for torch.compile (torch 1.13 has none)

        with torch.no_grad():
            decoder = StaticDecoder(model, BATCH, PROMPT, OUTPUT, masked=True)
            decoder.prompt.copy_(ids)
            decoder.compile(extras, logged.append, compiler)
            tokens = decoder.run()
            again = StaticDecoder(model, BATCH, PROMPT, OUTPUT, masked=True)
            again.compile(extras, logged.append, compiler)

        self.assertEqual([model, model.decode_static], [fn for fn, _ in compiled], "the prefill and one decode step")
        self.assertEqual({False}, {dynamic for _, dynamic in compiled}, "fixed shapes")
        self.assertEqual(2, len(compiled), "the second case reuses the compiled callables")
        self.assertTrue(logged[0].startswith("compiling prefill (batch 2 x 7 tokens, static cache 13)"), logged)
        self.assertTrue(logged[1].startswith("compiled prefill in "), logged)
        self.assertIn("compiling decode step", logged[2])
        self.assertIn("one shape for all 5 steps", logged[2])
        self.assertEqual(eager_tokens(model, ids).tolist(), tokens.tolist())


class DecodeGraphsTest(unittest.TestCase):

    def test_warm_up_on_a_side_stream_then_one_graph_per_phase_in_order_in_one_pool(self):
        model = tiny_opt()
        cuda = FakeCuda()
        with torch.no_grad():
            decoder = StaticDecoder(model, BATCH, PROMPT, OUTPUT)
            graphs = DecodeGraphs(decoder, cuda)

        self.assertEqual(OUTPUT, len(graphs.graphs))
        kinds = [entry[0] for entry in cuda.log]
        self.assertEqual(["wait", "side-stream", "side-stream", "wait", "pool"] + ["capture"] * OUTPUT, kinds)
        captures = [entry for entry in cuda.log if entry[0] == "capture"]
        self.assertEqual(list(range(OUTPUT)), [c[1] for c in captures])
        self.assertEqual({("pool", 1)}, {c[2] for c in captures}, "one pool shared by every graph")
        graphs.replay(2)
        self.assertEqual(("replay", 2), cuda.log[-1])

    def test_the_scenario_replays_prefill_then_each_decode_step_and_times_them_as_phases(self):
        model = tiny_opt()
        case = Case.build(id="opt", model="facebook/opt-125m", tiny=True, batch_size=BATCH, prompt_tokens=PROMPT,
                          output_tokens=OUTPUT, cuda_graphs=True, warmup_iterations=0, max_warmup_iterations=0,
                          min_iterations=1, max_iterations=1, seed=9)
        loaded = types.SimpleNamespace(model=model, extras={})
        scenario = LLMScenario(case, loaded, "cpu")
        cuda = FakeCuda()
        scenario.graph_api = cuda
        scenario.prepare()
        cuda.on_replay = scenario.decoder.phase  # the stand-in graph computes its phase eagerly
        del cuda.log[:]

        result = scenario.iterate()

        self.assertEqual([("replay", i) for i in range(OUTPUT)], cuda.log)
        self.assertEqual(OUTPUT - 1, len(result.decode_token_ns))
        self.assertEqual(result.ttft_ns, result.prefill_ns)
        self.assertEqual(BATCH * OUTPUT, result.tokens)
        self.assertEqual(eager_tokens(model, scenario._prompt()).tolist(), scenario.decoder.output().tolist())
        scenario.close()
        self.assertIsNone(scenario.graphs)

    def test_cuda_graphs_on_for_an_llm_on_cpu_are_unsupported(self):
        from genbench_worker.failures import Unsupported

        case = Case.build(id="opt", model="facebook/opt-125m", tiny=True, batch_size=1, prompt_tokens=4,
                          output_tokens=2, cuda_graphs=True)
        scenario = LLMScenario(case, types.SimpleNamespace(model=tiny_opt(), extras={}), "cpu")

        with self.assertRaises(Unsupported) as ctx:
            scenario.prepare()
        self.assertIn("CUDA", str(ctx.exception))


class KnobResolutionTest(unittest.TestCase):

    def test_auto_picks_graph_decode_for_opt_on_cuda_only(self):
        case = Case.build(id="opt", model="facebook/opt-125m", batch_size=1, prompt_tokens=4, output_tokens=2)

        self.assertTrue(case.resolved("cuda", "opt").knobs.cuda_graphs)
        self.assertFalse(case.resolved("cpu", "opt").knobs.cuda_graphs)
        off = Case.build(id="opt", model="facebook/opt-125m", batch_size=1, prompt_tokens=4, output_tokens=2,
                         cuda_graphs=False)
        self.assertFalse(off.resolved("cuda", "opt").knobs.cuda_graphs, "off stays the eager path")


if __name__ == "__main__":
    unittest.main()
