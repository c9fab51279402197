#!/usr/bin/env bash
# session 5 GPU call 3: what the first meta construction of a tiny model spends 5.3 s on (issue 18), and whether the
# torch-1.13 style factory routing (no torch.device context) avoids it: one fresh process each
set -uo pipefail
cd worker/src
cat > /tmp/meta_probe.py <<'PY'
import cProfile, pstats, time, sys, io, contextlib
mode = sys.argv[1]
t=time.perf_counter(); import torch; print(mode, "import torch %.2f s" % (time.perf_counter()-t))
torch.zeros(1, device="cuda"); torch.cuda.synchronize()
from genbench_worker.models import registry, construction
if mode == "factories":
    @contextlib.contextmanager
    def on_meta():
        meta = torch.device("meta"); names = construction._FACTORIES
        saved = {n: getattr(torch, n) for n in names}
        def patch(fn):
            def w(*a, **k):
                if k.get("device") is None: k["device"] = meta
                return fn(*a, **k)
            return w
        try:
            for n, fn in saved.items(): setattr(torch, n, patch(fn))
            yield
        finally:
            for n, fn in saved.items(): setattr(torch, n, fn)
    construction.on_meta = on_meta
if mode == "import-dynamo":
    t=time.perf_counter(); import torch._dynamo; print(mode, "import torch._dynamo %.2f s" % (time.perf_counter()-t))
before=set(sys.modules)
spec = registry.spec("stabilityai/stable-diffusion-2-1", tiny=True)
factories = registry.component_factories(spec)
pr=cProfile.Profile(); t=time.perf_counter(); pr.enable()
metas = {name: construction.build_meta(make) for name, make in factories.items()}
pr.disable(); print(mode, "tiny meta construction %.2f s" % (time.perf_counter()-t))
new=sorted(set(sys.modules)-before); print(mode, "modules imported meanwhile:", len(new), [m for m in new if m.count('.')<=1][:40])
if mode == "context":
    s=io.StringIO(); pstats.Stats(pr,stream=s).sort_stats("cumulative").print_stats(25); print(s.getvalue()[:5000])
t=time.perf_counter(); metas = {name: construction.build_meta(make) for name, make in factories.items()}; print(mode, "second %.3f s" % (time.perf_counter()-t))
PY
for m in context factories import-dynamo; do python3 /tmp/meta_probe.py $m 2>&1 | cut -c1-400 | head -60; done
