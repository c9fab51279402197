"""The worker's Case defaults are the controller's Settings.DEFAULT: a hand-written job measures as a planned one.

Read from src/main/java/io/genbench/plan/Settings.java as text, so a change on either side fails here.
"""

import dataclasses
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SETTINGS_JAVA = os.path.join(REPO, "src", "main", "java", "io", "genbench", "plan", "Settings.java")
sys.path.insert(0, os.path.join(HERE, "..", "src"))

from genbench_worker.case import Case, Measure  # noqa: E402


def snake(java_name):
    """warmupIterations → warmup_iterations, minDurationS → min_duration_s, DEFAULT_MAX_WARMUP_S → max_warmup_s."""
    if java_name.isupper():
        return java_name.lower().replace("default_", "", 1)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", java_name).lower()


def parameters(text):
    """'int a, double b' → ['a', 'b']."""
    return [p.split()[-1] for p in text.split(",") if p.strip()]


def arguments(text):
    """Top-level comma-separated arguments (commas inside Math.max(...) stay)."""
    args, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            args.append(current.strip())
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        current += ch
    return args + [current.strip()] if current.strip() else args


def java_defaults(java):
    """Settings.DEFAULT as {snake_case component: value}, following a shorter constructor's this(...) call and the
    class's constants; plus STEADY_WINDOW as steady_window."""
    constants = {name: float(value) if "." in value else int(value) for name, value in
                 re.findall(r"static final (?:int|long|double) ([A-Z_]+) = ([0-9.]+);", java)}

    def value(expression, scope):
        expression = expression.strip()
        call = re.fullmatch(r"Math\.max\((.*)\)", expression)
        if call:
            return max(value(a, scope) for a in arguments(call.group(1)))
        if expression in scope:
            return scope[expression]
        if expression in constants:
            return constants[expression]
        return float(expression) if "." in expression else int(expression)

    components = parameters(re.search(r"public record Settings\((.*?)\)\s*\{", java, re.DOTALL).group(1))
    default_args = arguments(re.search(r"Settings DEFAULT = new Settings\((.*?)\);", java, re.DOTALL).group(1))
    values = [value(a, {}) for a in default_args]
    delegations = re.findall(r"public Settings\(([^)]*)\)\s*\{\s*this\((.*?)\);", java, re.DOTALL)
    for _ in delegations:  # a shorter constructor fills the rest: Settings(...) { this(...); }, perhaps in steps
        if len(values) == len(components):
            break
        for params, delegated in delegations:
            names = parameters(params)
            if len(names) == len(values):
                scope = dict(zip(names, values))
                values = [value(a, scope) for a in arguments(delegated)]
                break
    if len(values) != len(components):
        raise AssertionError("cannot read Settings.DEFAULT from %s" % SETTINGS_JAVA)
    out = {snake(name): v for name, v in zip(components, values)}
    out["steady_window"] = constants["STEADY_WINDOW"]
    return out


class CaseDefaultsTest(unittest.TestCase):

    def test_case_defaults_equal_the_java_settings_default(self):
        with open(SETTINGS_JAVA, encoding="utf-8") as f:
            java = java_defaults(f.read())
        python = {f.name: f.default for f in dataclasses.fields(Measure)}

        shared = ("warmup_iterations", "min_iterations", "max_iterations", "min_duration_s", "seed",
                  "max_warmup_iterations", "max_warmup_s", "steady_tolerance", "steady_window", "target_ci_pct",
                  "max_measure_s")
        self.assertEqual({name: java[name] for name in shared}, {name: python[name] for name in shared})
        # the one Settings field a case does not carry: the controller enforces the timeout
        self.assertEqual({"timeout_s"}, set(java) - set(shared))

    def test_the_defaults_are_the_documented_ones(self):
        case = Case(id="c", model="m").measure

        self.assertEqual((1, 10, 100, 5.0, 42, 30, 60.0, 0.05, 3, 3.0, 60.0),
                         (case.warmup_iterations, case.min_iterations, case.max_iterations, case.min_duration_s,
                          case.seed, case.max_warmup_iterations, case.max_warmup_s, case.steady_tolerance,
                          case.steady_window, case.target_ci_pct, case.max_measure_s))


if __name__ == "__main__":
    unittest.main()
