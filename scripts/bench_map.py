#!/usr/bin/env python3
"""Map viewport query: GET /api/v1/map/reports over the province at zooms 7–16 with random viewports; prints p50/p95.
Usage: bench_map.py BASE_URL API_KEY [N]"""
import random, sys, time, urllib.request, json

base, key = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 400
random.seed(2026)
# Đắk Lắk (with former Phú Yên): about 107.9–109.5 E, 12.1–13.8 N.
def viewport(zoom):
    w = 360 / 2 ** zoom * 7.5  # a 1920-pixel-wide screen
    h = w * 0.56
    lon = random.uniform(107.9, 109.5 - min(w, 1.6))
    lat = random.uniform(12.1, 13.8 - min(h, 1.7))
    return f"{lon:.5f},{lat:.5f},{lon + w:.5f},{lat + h:.5f}"

samples, kinds = [], {"cells": 0, "points": 0}
for i in range(n + 10):
    zoom = random.choice([7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
    status = random.choice(["all", "all", "recent", "open"])
    url = f"{base}/api/v1/map/reports?bbox={viewport(zoom)}&zoom={zoom}&status={status}"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    start = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = json.loads(r.read())
    if i >= 10:
        samples.append((time.perf_counter() - start) * 1000)
        kinds["cells" if body["cells"] else "points"] += 1
samples.sort()
pct = lambda q: samples[min(len(samples) - 1, int(round(q * len(samples) + 0.5)) - 1)]
print(f"RESULT map n={len(samples)} p50_ms={pct(0.5):.1f} p95_ms={pct(0.95):.1f} max_ms={samples[-1]:.1f} answers={kinds}")
