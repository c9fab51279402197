"""Pipeline schedules (GPipe, 1F1B) as per-stage op lists, an event-driven replay on a given clock, and the bubble.

An op is ("F" | "B", micro_batch). F(s, m) needs F(s−1, m); B(s, m) needs B(s+1, m) and F(s, m); each stage runs
its ops in list order. With equal op times both schedules idle each stage for (P−1) op slots of every direction, so
the bubble ratio is (P−1)/(M+P−1); 1F1B differs in memory (at most P−s micro-batches in flight), not in bubble.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Tuple

Op = Tuple[str, int]


def gpipe(stages: int, micro: int, backward: bool = True) -> List[List[Op]]:
    fwd = [("F", m) for m in range(micro)]
    bwd = [("B", m) for m in reversed(range(micro))] if backward else []
    return [fwd + bwd for _ in range(stages)]


def one_f_one_b(stages: int, micro: int) -> List[List[Op]]:
    out = []
    for s in range(stages):
        warm = min(stages - s - 1, micro)
        ops: List[Op] = [("F", m) for m in range(warm)]
        f, b = warm, 0
        while f < micro:
            ops.append(("F", f))
            f += 1
            ops.append(("B", b))
            b += 1
        ops += [("B", m) for m in range(b, micro)]
        out.append(ops)
    return out


def make(name: str, stages: int, micro: int, backward: bool = True) -> List[List[Op]]:
    if name == "gpipe":
        return gpipe(stages, micro, backward)
    if name == "1f1b":
        if not backward:
            raise ValueError("1f1b interleaves backward passes; forward-only runs use gpipe")
        return one_f_one_b(stages, micro)
    raise ValueError("unknown schedule %r; known: gpipe, 1f1b" % name)


def replay(schedule: List[List[Op]], duration: Callable[[int, Op], float]):
    """Times every op as early as its dependencies and its stage allow: per stage [(op, start, end)]."""
    stages = len(schedule)
    end: Dict[Tuple[int, Op], float] = {}
    pos = [0] * stages
    free = [0.0] * stages
    timelines: List[List[Tuple[Op, float, float]]] = [[] for _ in range(stages)]
    remaining = sum(len(s) for s in schedule)
    while remaining:
        progressed = False
        for s in range(stages):
            if pos[s] == len(schedule[s]):
                continue
            kind, m = op = schedule[s][pos[s]]
            deps = []
            if kind == "F" and s > 0:
                deps.append((s - 1, ("F", m)))
            if kind == "B":
                deps.append((s, ("F", m)))
                if s < stages - 1:
                    deps.append((s + 1, ("B", m)))
            if any(d not in end for d in deps):
                continue
            start = max([free[s]] + [end[d] for d in deps])
            finish = start + duration(s, op)
            end[(s, op)] = finish
            free[s] = finish
            timelines[s].append((op, start, finish))
            pos[s] += 1
            remaining -= 1
            progressed = True
        if not progressed:
            raise ValueError("schedule deadlocks")
    return timelines


def makespan(timelines) -> float:
    """From the first start to the last end over all stages (one clock for every stage)."""
    return max(t[2] for tl in timelines for t in tl) - min(t[1] for tl in timelines for t in tl)


def stage_bubbles(timelines) -> List[float]:
    """Per stage: the time it is idle within the makespan, over the makespan ((makespan − busy_s) / makespan)."""
    span = makespan(timelines)
    return [(span - sum(t[2] - t[1] for t in tl)) / span for tl in timelines]


def bottleneck_bubble(timelines) -> float:
    """The bubble of the busiest stage: the schedule's idle time alone.

    (P−1)/(M+P−1) assumes every stage's ops take equally long. When they do not, faster stages also idle waiting
    for the slowest one; that is imbalance, not the bubble, and the busiest stage is the one that never waits for
    it: its idle time is the fill and drain of the schedule. With equal ops it equals every stage's bubble."""
    busy = [sum(t[2] - t[1] for t in tl) for tl in timelines]
    return stage_bubbles(timelines)[busy.index(max(busy))]


def bubble_ratio(timelines) -> float:
    """The mean stage bubble: 1 − Σ busy / (stages × makespan) (imbalance between stages included)."""
    starts = [t[1] for tl in timelines for t in tl]
    ends = [t[2] for tl in timelines for t in tl]
    makespan = max(ends) - min(starts)
    busy = sum(t[2] - t[1] for tl in timelines for t in tl)
    return 1.0 - busy / (len(timelines) * makespan)


def analytic_bubble(stages: int, micro: int) -> float:
    return (stages - 1) / (micro + stages - 1)
