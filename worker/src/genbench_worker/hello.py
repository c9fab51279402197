"""The worker's `hello`: who it is and what it runs on (versions, devices, driver, host), its first event of a job.

Imports torch when called, not when imported: the entry point claims stdout before torch is loaded.
"""

from __future__ import annotations

import os
import platform
import socket
from typing import Optional

from . import __version__, protocol
from .devices import is_cuda


def driver_version() -> Optional[str]:
    """The NVIDIA driver's version: from /proc/driver/nvidia/version (no subprocess, no library), else NVML, else
    nvidia-smi; None where none of them answers."""
    from .startup import driver_version_from_proc  # noqa: PLC0415

    version = driver_version_from_proc()
    if version:
        return version
    try:
        import pynvml  # noqa: PLC0415

        pynvml.nvmlInit()
        try:
            version = pynvml.nvmlSystemGetDriverVersion()
            return version.decode() if isinstance(version, bytes) else str(version)
        finally:
            pynvml.nvmlShutdown()
    except Exception:
        pass
    import shutil  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=20)
            line = out.stdout.strip().splitlines()
            return line[0].strip() if out.returncode == 0 and line else None
        except Exception:
            return None
    return None


def hello(device) -> protocol.Hello:
    import torch  # noqa: PLC0415

    devices = []
    on_cuda = is_cuda(device)
    if on_cuda:
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            devices.append({"index": i, "name": props.name, "memory_bytes": int(props.total_memory),
                            "capability": "%d.%d" % (props.major, props.minor)})
    return protocol.Hello(
        worker_version=__version__,
        python=platform.python_version(),
        torch=torch.__version__,
        cuda=torch.version.cuda if on_cuda else None,
        device="cuda" if on_cuda else "cpu",
        devices=devices,
        driver=driver_version() if on_cuda else None,
        hostname=socket.gethostname(),
        pid=os.getpid(),
    )
