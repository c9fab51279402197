"""A stand-in for the serving worker (no torch), for the Java tests of the pixel pipeline: answers `images` requests
after sleeping `steps` ms, each image's bytes all equal to its seed & 0xff, written to the request's pixels_file.
A prompt "crash" kills the process (exit 3); with a prompt "slow-pixels" the pixels follow their `computed`
line 2 s later; with a prompt "soon" a `soon` line comes 5 ms before the `computed` line. Each request's arrival is
appended to ../recv.log as `recv ID NS` (the monotonic clock, as Java's System.nanoTime on Linux)."""
import json
import os
import sys
import time

LOG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "recv.log")


def main():
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)

    def send(m):
        out.write((json.dumps(m) + "\n").encode())

    send({"type": "ready", "model": "fake", "family": "sd", "load_ns": 1, "device": "cpu", "pid": os.getpid()})
    for line in sys.stdin:
        m = json.loads(line)
        with open(LOG, "a") as log:
            log.write("recv %s %d\n" % (m["id"], time.monotonic_ns()))
        if "crash" in m["prompts"]:
            os._exit(3)
        if "soon" in m["prompts"]:  # as the worker with --soon-ms: a soon line shortly before the computed line
            send({"type": "soon", "id": m["id"], "within_ms": 50.0})
            time.sleep(0.005)
        time.sleep(m["steps"] / 1000)
        send({"type": "computed", "id": m["id"], "compute_ns": m["steps"] * 1000000})
        if "slow-pixels" in m["prompts"]:
            time.sleep(2)
        w, h = m["width"], m["height"]
        size = w * h * 3
        with open(m["pixels_file"], "r+b") as f:
            f.truncate(size * len(m["seeds"]))
            for s in m["seeds"]:
                f.write(bytes([s & 0xFF]) * size)
        send({"type": "images", "id": m["id"], "compute_ns": m["steps"] * 1000000, "pixels_ns": 0,
              "pixels_file": m["pixels_file"],
              "images": [{"width": w, "height": h, "offset": k * size, "length": size} for k in range(len(m["seeds"]))]})


if __name__ == "__main__":
    main()
