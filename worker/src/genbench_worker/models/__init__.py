"""Plain-PyTorch re-implementations of the benchmarked architectures (diffusers / transformers parameter names).

Entry points live in :mod:`genbench_worker.models.registry`: ``spec``, ``parameter_counts``, ``build``,
``tokenize``, ``UnsupportedModel``.
"""
