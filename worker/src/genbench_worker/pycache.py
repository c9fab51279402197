"""A bytecode cache of genbench's own, for hosts whose site-packages keeps none (issue 18 goal 2).

Where torch's sources have no compiled bytecode next to them (a read-only or `PYTHONDONTWRITEBYTECODE` virtual
environment, an image built with `--no-compile`), every fresh worker process compiles the ~1,000 torch modules it
imports from source: 2.5 s of `builtins.compile` on an H100 host, on top of the import itself. `enable()` runs at the
very start of the worker (before torch is imported) and, only where torch's standard bytecode is absent, points
`sys.pycache_prefix` at a directory of genbench's own and lets Python write there, so the first worker on a machine
compiles and every later one loads compiled bytecode.

The directory: `$GENBENCH_PYCACHE`, else `$XDG_CACHE_HOME/genbench/pycache`, else `~/.cache/genbench/pycache`
(created with mode 700). `GENBENCH_PYCACHE=off` turns it off. Nothing is changed where the standard cache of torch's
`__init__.py` exists (a prefix would hide every existing pyc file: Python then reads bytecode under the prefix only),
where `PYTHONPYCACHEPREFIX` / `-X pycache_prefix` already chose a prefix, where torch is not importable, or where the
directory cannot be created or written (the worker goes on compiling from source and says so in its start-up line).

Torch-free: imports nothing but the standard library.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from typing import Mapping, Optional

#: GENBENCH_PYCACHE=DIR chooses the directory; =off turns the cache off.
ENV = "GENBENCH_PYCACHE"
OFF = "off"

_described: Optional[str] = None


def directory(environ: Mapping[str, str] = os.environ) -> str:
    """The cache directory `enable` would use (whether or not it is off)."""
    chosen = environ.get(ENV, "").strip()
    if chosen and chosen.lower() != OFF:
        return os.path.abspath(os.path.expanduser(chosen))
    base = environ.get("XDG_CACHE_HOME", "").strip()
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "genbench", "pycache")


def standard_bytecode(module: str = "torch") -> Optional[bool]:
    """Whether `module`'s own source has its standard compiled bytecode (`__pycache__/...pyc` beside it); None when
    the module is not found or has no source file (nothing to decide from). Found without importing the module."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None) if spec is not None else None
    if not origin or not origin.endswith(".py"):
        return None
    try:
        # sys.pycache_prefix is None here (enable() returns before this when one is set): the standard location
        return os.path.exists(importlib.util.cache_from_source(origin))
    except (NotImplementedError, ValueError):
        return None


def enable(environ: Mapping[str, str] = os.environ, module: str = "torch") -> str:
    """Sets `sys.pycache_prefix` (and clears `sys.dont_write_bytecode`) where `module`'s standard bytecode is absent;
    returns what it did, for the worker's start-up log line. Done once per process: a second call returns the first
    call's words and changes nothing."""
    global _described
    if _described is None:
        _described = _enable(environ, module)
    return _described


def _enable(environ: Mapping[str, str], module: str) -> str:
    if environ.get(ENV, "").strip().lower() == OFF:
        return "bytecode: genbench cache off (%s=off)" % ENV
    if sys.pycache_prefix is not None:
        return "bytecode: prefix %s chosen by the interpreter's settings" % sys.pycache_prefix
    standard = standard_bytecode(module)
    if standard is None:
        return "bytecode: standard (%s has no source to compile)" % module
    if standard:
        return "bytecode: standard (%s's own __pycache__)" % module
    path = directory(environ)
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        if not os.access(path, os.W_OK | os.X_OK):
            raise PermissionError("not writable")
    except OSError as e:
        return "bytecode: compiled from source; genbench cache %s cannot be used (%s)" % (
            path, getattr(e, "strerror", None) or e)
    was_off = sys.dont_write_bytecode
    sys.pycache_prefix = path
    sys.dont_write_bytecode = False
    return "bytecode: genbench cache %s (%s has no standard bytecode%s)" % (
        path, module, "; writing was off" if was_off else "")
