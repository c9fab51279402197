"""What a case measures, apart from building models and speaking the protocol: the phase timers (timing), when
warm-up and measuring may stop (steady), the case's peak memory (memory), the work one request does (flops), how
busy a step kept the GPU (profiling), GPU counters while the case runs (telemetry) and what else used the machine
(load).

These modules import nothing of `scenarios`, `backends` or `models`; each imports torch only where it measures a
torch device (steady and load are torch-free), so the rules are tested on plain numbers.
"""
