#!/usr/bin/env python3
"""Intake latency: POST /api/v1/field-reports with two ~500 KB photos, one client, N sequential reports.
Prints p50/p95/max. Usage: bench_intake.py BASE_URL PHOTO1 PHOTO2 [N]"""
import sys, time, uuid, urllib.request

base, p1, p2 = sys.argv[1], sys.argv[2], sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 200
photos = [open(p1, "rb").read(), open(p2, "rb").read()]
# Points inside phường Buôn Ma Thuột, spread so that duplicates do not pile up.
points = [(12.6675 + (i % 20) * 0.0004, 108.0378 + (i // 20 % 10) * 0.0004) for i in range(n + 5)]

def body(i):
    b = "----iocbench" + uuid.uuid4().hex
    parts = []
    def field(name, value):
        parts.append(f"--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    field("category", "duong-o-ga")
    field("description", f"Ổ gà lớn số {i} trên đường Lê Duẩn, xe máy dễ ngã (đo hiệu năng).")
    field("lat", str(points[i][0]))
    field("lon", str(points[i][1]))
    for k, data in enumerate(photos):
        parts.append(f"--{b}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"p{k}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{b}--\r\n".encode())
    return b, b"".join(parts)

samples = []
for i in range(n + 5):
    boundary, data = body(i)
    req = urllib.request.Request(base + "/api/v1/field-reports", data=data, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Idempotency-Key": str(uuid.uuid4())})
    start = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        r.read()
        assert r.status == 201, r.status
    if i >= 5:  # warm-up
        samples.append((time.perf_counter() - start) * 1000)
samples.sort()
pct = lambda q: samples[min(len(samples) - 1, int(round(q * len(samples) + 0.5)) - 1)]
print(f"RESULT intake n={len(samples)} upload_bytes={len(data)} p50_ms={pct(0.50):.1f} p95_ms={pct(0.95):.1f} max_ms={samples[-1]:.1f}")
