"""GPU counters sampled while a case runs, emitted as `telemetry` events.

A background thread reads utilisation %, memory used % and power W about every 100 ms, through
NVML (`pynvml`, from the nvidia-ml-py package) when it imports, else through
`nvidia-smi --query-gpu=... -lms 100`, else not at all (CPU, or no driver tools). Samples are
averaged (memory: the maximum) over windows of `emit_interval_s` (0.5 s) so the stream gets at
most about two events a second. `t_ns` counts from `start()` (the start of the case).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from typing import Callable, List, Optional, Tuple

from ..devices import is_cuda
from ..protocol import EventStream, Telemetry

Reading = Tuple[float, float, float]  # gpu_util_pct, memory_used_pct, power_w


class NvmlSource:
    """Reads one GPU through NVML."""

    def __init__(self, index: int = 0, uuid: Optional[str] = None):
        import pynvml  # noqa: PLC0415

        self._nvml = pynvml
        pynvml.nvmlInit()
        if uuid:
            self._handle = pynvml.nvmlDeviceGetHandleByUUID(uuid)
        else:
            self._handle = pynvml.nvmlDeviceGetHandleByIndex(index)

    def read(self) -> Optional[Reading]:
        n = self._nvml
        util = n.nvmlDeviceGetUtilizationRates(self._handle).gpu
        mem = n.nvmlDeviceGetMemoryInfo(self._handle)
        try:
            power = n.nvmlDeviceGetPowerUsage(self._handle) / 1000.0
        except n.NVMLError:  # some boards do not report power
            power = 0.0
        return float(util), 100.0 * mem.used / max(mem.total, 1), float(power)

    def close(self) -> None:
        try:
            self._nvml.nvmlShutdown()
        except Exception:
            pass


class NvidiaSmiSource:
    """Reads one GPU from a long-running `nvidia-smi -lms 100` (one CSV line per sample)."""

    QUERY = "utilization.gpu,memory.used,memory.total,power.draw"

    def __init__(self, index: int = 0, interval_ms: int = 100):
        self._proc = subprocess.Popen(
            ["nvidia-smi", "--query-gpu=" + self.QUERY, "--format=csv,noheader,nounits",
             "-i", str(index), "-lms", str(interval_ms)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1,
        )

    def read(self) -> Optional[Reading]:
        line = self._proc.stdout.readline() if self._proc.stdout else ""
        if not line:
            raise EOFError("nvidia-smi stopped")
        return parse_smi_line(line)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()

    paced_by_source = True


def parse_smi_line(line: str) -> Optional[Reading]:
    """'97, 1234, 81559, 412.30' → (97.0, 1.51, 412.3); None for '[N/A]' fields or junk."""

    def number(text: str) -> Optional[float]:
        try:
            return float(text.strip())
        except ValueError:
            return None

    parts = line.strip().split(",")
    if len(parts) != 4:
        return None
    util, used, total, power = (number(p) for p in parts)
    if util is None or used is None or not total:
        return None
    return util, 100.0 * used / total, power or 0.0


def _physical_index(device_index: int) -> Tuple[int, Optional[str]]:
    """Map a torch device index to NVML's view (NVML ignores CUDA_VISIBLE_DEVICES)."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").strip()
    if not visible:
        return device_index, None
    entries = [v.strip() for v in visible.split(",") if v.strip()]
    if device_index >= len(entries):
        return device_index, None
    entry = entries[device_index]
    if entry.isdigit():
        return int(entry), None
    if entry.startswith("GPU-"):
        return device_index, entry
    return device_index, None


def open_source(device_index: int = 0):
    """The best available counter source for a GPU, or None."""
    index, uuid = _physical_index(device_index)
    try:
        return NvmlSource(index, uuid)
    except Exception:
        pass
    if shutil.which("nvidia-smi"):
        try:
            return NvidiaSmiSource(index)
        except Exception:
            pass
    return None


class TelemetrySampler:
    """Samples a source on a daemon thread and emits averaged `telemetry` events for one case."""

    def __init__(self, events: EventStream, case_id: str, source, *, sample_interval_s: float = 0.1,
                 emit_interval_s: float = 0.5, now_ns: Callable[[], int] = time.monotonic_ns):
        self._events = events
        self._case_id = case_id
        self._source = source
        self._sample_interval_s = sample_interval_s
        self._emit_interval_ns = int(emit_interval_s * 1e9)
        self._now_ns = now_ns
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._t0 = 0
        self._window: List[Reading] = []
        self._window_start = 0
        self._lock = threading.Lock()
        self._measuring = False
        self.emitted = 0

    def set_measuring(self, measuring: bool) -> None:
        """Marks the start / end of the measured iterations: the window so far is emitted with the phase it belongs
        to, so no window mixes the model build or warm-up with measurement."""
        self._flush()
        self._measuring = measuring

    def start(self) -> "TelemetrySampler":
        self._t0 = self._now_ns()
        self._window_start = self._t0
        self._thread = threading.Thread(target=self._run, name="genbench-telemetry", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling, emit the last partial window, release the source. Idempotent."""
        self._stop.set()
        if isinstance(self._source, NvidiaSmiSource):
            self._source.close()  # unblocks its readline
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._flush()
        if self._source is not None:
            self._source.close()
            self._source = None

    def __enter__(self) -> "TelemetrySampler":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _run(self) -> None:
        paced = getattr(self._source, "paced_by_source", False)
        while not self._stop.is_set():
            try:
                reading = self._source.read()
            except Exception as e:  # driver hiccup, nvidia-smi gone: stop sampling, keep the case
                if not self._stop.is_set():
                    print("telemetry stopped: %s" % e, file=sys.stderr)
                return
            if reading is not None and not self._stop.is_set():
                with self._lock:
                    self._window.append(reading)
                if self._now_ns() - self._window_start >= self._emit_interval_ns:
                    self._flush()
            if not paced:
                self._stop.wait(self._sample_interval_s)

    def _flush(self) -> None:
        with self._lock:
            window, self._window = self._window, []
            now = self._now_ns()
            self._window_start = now
            measuring = self._measuring
        if not window:
            return
        n = len(window)
        self._events.emit(Telemetry(
            case_id=self._case_id,
            t_ns=max(0, now - self._t0),
            gpu_util_pct=round(sum(r[0] for r in window) / n, 2),
            memory_used_pct=round(max(r[1] for r in window), 2),
            power_w=round(sum(r[2] for r in window) / n, 2),
            measuring=measuring,
        ))
        self.emitted += 1


class NoTelemetry:
    """Stands in where there is nothing to sample (CPU, no NVML, no nvidia-smi)."""

    emitted = 0

    def start(self):
        return self

    def set_measuring(self, measuring: bool) -> None:
        pass

    def stop(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def for_case(events: EventStream, case_id: str, device) -> "TelemetrySampler | NoTelemetry":
    """A sampler for the case's device (not started)."""
    if not is_cuda(device):
        return NoTelemetry()
    index = getattr(device, "index", None)
    if index is None:
        import torch  # noqa: PLC0415

        index = torch.cuda.current_device()
    source = open_source(index)
    if source is None:
        return NoTelemetry()
    return TelemetrySampler(events, case_id, source)
