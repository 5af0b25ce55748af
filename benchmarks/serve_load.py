"""Load test of multistyle-serve: concurrent clients on 127.0.0.1.

Starts `multistyle-serve` in a subprocess on a free port, then:

1. preview latency: one client, the page's request (a 384 px photo,
   `preview=true`, a new random blend each time), sequentially: ms per
   update as the page sees it, HTTP included;
2. load: `--clients` threads post the same request as fast as they can
   for `--seconds`; a 503 (the queue is full: deliberate) is honoured by
   sleeping its Retry-After, as the page does.

Prints Markdown tables: requests/s, p50/p95/p99 latency of the 200s,
errors by status with the deliberate 503s apart, and the server's RSS
memory after start-up, after warm-up and at the end (sampled each second
for the peak). Bounded in clients (1-32), seconds (at most 600) and
requests (`--max_requests`).

    python benchmarks/serve_load.py                          # 16 clients, 60 s
    python benchmarks/serve_load.py --clients=32 --seconds=60 --full_size
    python benchmarks/serve_load.py --clients=2 --seconds=3  # smoke test
"""

import argparse
import collections
import io
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time

import httpx2
from PIL import Image

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHOTO = os.path.join(REPO_ROOT, "samples", "astronaut.jpg")
STYLES = 16


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=os.path.join(
        REPO_ROOT, "saved_models", "multistyle16"))
    parser.add_argument("--clients", type=int, default=16,
                        choices=range(1, 33), metavar="1..32")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max_requests", type=int, default=100_000)
    parser.add_argument("--size", type=int, default=384,
                        help="Long side of the photo sent, pixels.")
    parser.add_argument("--full_size", action="store_true",
                        help="Paint with the full model (no preview=true).")
    parser.add_argument("--latency_updates", type=int, default=30,
                        help="Sequential previews timed first (0: none).")
    parser.add_argument("--max_in_flight", type=int, default=2)
    parser.add_argument("--max_queue", type=int, default=8)
    args = parser.parse_args()
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be in (0, 600]")
    return args


def _photo_bytes(size):
    image = Image.open(PHOTO).convert("RGB")
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def _start_server(args):
    command = [sys.executable, "-m", "multistyle.cli.serve",
               f"--model={args.model}", "--port=0",
               f"--max_in_flight={args.max_in_flight}",
               f"--max_queue={args.max_queue}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    for _ in range(2):
        line = process.stdout.readline()
        match = re.search(r"Open (http://\S+) in a browser", line)
        if match:
            return process, match.group(1)
    process.kill()
    raise RuntimeError(f"multistyle-serve did not start: {command}")


def _rss_mib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _random_blend(rng):
    """Two random styles at random weights, one value per style."""
    chosen = rng.sample(range(STYLES), 2)
    return ",".join(f"{0.05 + 0.95 * rng.random():.2f}" if i in chosen
                    else "0" for i in range(STYLES))


class _Results:
    """Latencies of the 200s and counts by status, from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.statuses = collections.Counter()

    def add(self, status, seconds):
        with self.lock:
            self.statuses[status] += 1
            if status == 200:
                self.latencies.append(seconds)


def _post(client, url, photo, params):
    start = time.perf_counter()
    try:
        response = client.post(url, params=params, content=photo)
        return response, time.perf_counter() - start
    except httpx2.HTTPError as e:
        return type(e).__name__, time.perf_counter() - start


def _client_loop(url, photo, params, seed, deadline, budget, results):
    rng = random.Random(seed)
    with httpx2.Client(timeout=150) as client:
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            response, seconds = _post(
                client, url, photo, {**params, "weights": _random_blend(rng)})
            status = getattr(response, "status_code", response)
            results.add(status, seconds)
            if status == 503:
                time.sleep(float(response.headers.get("Retry-After", 1)))


def _percentiles(latencies):
    if len(latencies) < 2:
        return ["-"] * 3
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return [f"{1000 * cuts[p - 1]:.0f}" for p in (50, 95, 99)]


def _preview_latency(url, photo, params, updates):
    rng = random.Random(0)
    times = []
    with httpx2.Client(timeout=60) as client:
        for _ in range(updates):
            response, seconds = _post(
                client, url, photo, {**params, "weights": _random_blend(rng)})
            if getattr(response, "status_code", None) != 200:
                raise RuntimeError(f"preview failed: {response}")
            times.append(seconds)
    return times


def main():
    args = _arguments()
    photo = _photo_bytes(args.size)
    params = {"format": "jpeg"}
    if not args.full_size:
        params["preview"] = "true"
    process, base = _start_server(args)
    url = base + "v1/stylize"
    try:
        rss_start = _rss_mib(process.pid)
        health = httpx2.get(base + "healthz").json()
        _preview_latency(url, photo, params, 3)  # Warm-up.
        rss_warm = _rss_mib(process.pid)
        if args.latency_updates:
            times = _preview_latency(url, photo, params, args.latency_updates)
            p50, p95, _ = _percentiles(times)
            print(f"## Preview latency ({'full' if args.full_size else 'preview'}"
                  f" model, {args.size} px, one client, "
                  f"{args.latency_updates} updates, load "
                  f"{os.getloadavg()[0]:.1f})\n\n"
                  "| runtime | ms per update p50 | p95 | mean |\n"
                  "| --- | --- | --- | --- |\n"
                  f"| {health['runtime']['preview']} | {p50} | {p95} | "
                  f"{1000 * statistics.mean(times):.0f} |\n")
        results = _Results()
        budget = threading.Semaphore(args.max_requests)
        peak = [rss_warm]
        start = time.monotonic()
        deadline = start + args.seconds
        threads = [threading.Thread(target=_client_loop, args=(
            url, photo, params, seed, deadline, budget, results))
            for seed in range(args.clients)]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            peak.append(_rss_mib(process.pid))
            time.sleep(1.0)
        elapsed = time.monotonic() - start
        rss_end = _rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait(30)
    ok = results.statuses.pop(200, 0)
    deliberate = results.statuses.pop(503, 0)
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(
        results.statuses.items(), key=str)) or "0"
    p50, p95, p99 = _percentiles(results.latencies)
    print(f"## Load ({args.clients} clients, {elapsed:.0f} s, "
          f"max_in_flight {args.max_in_flight}, max_queue {args.max_queue}, "
          f"{'full' if args.full_size else 'preview'} model, {args.size} px)"
          "\n\n| requests/s (200) | p50 ms | p95 ms | p99 ms | 200s | "
          "503s (deliberate) | other errors | RSS MiB start / warm / end / "
          "peak |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n"
          f"| {ok / elapsed:.1f} | {p50} | {p95} | {p99} | {ok} | "
          f"{deliberate} | {errors} | {rss_start:.0f} / {rss_warm:.0f} / "
          f"{rss_end:.0f} / {max(peak):.0f} |")


if __name__ == "__main__":
    main()
