#!/usr/bin/env python3
"""Candour's screenshot redaction vs Presidio's image redactor (domain notes §6.2), one set of screens, one scorer.

Run through `scripts/presidio-bench --images`, which makes the venv and pins this process (and so Candour and
Tesseract, its children) to one core with OMP_THREAD_LIMIT=1. The screens are `candour redact screens --first
1001` (synthetic EPR screenshots with labelled boxes); both peers see the same PNGs.

Scoring (domain notes §5.1): a labelled identifier box is covered when >= 95% of its pixels lie inside the union
of the peer's boxes; a must-keep (KEEP) box is damaged when more than 20% of its pixels are covered.
"""
import argparse, glob, json, os, re, statistics, subprocess, sys, tempfile, time

import numpy as np
from PIL import Image

from presidio_bench import presidio_analyzer  # the UK-tuned AnalyzerEngine of §6.1, shared with the text bench

FIRST_SEED = 1001  # Candour's fail-closed screenshot rules were tuned on seeds 1-100
COVERED, DAMAGED, PAD, THRESHOLD = 0.95, 0.20, 2, 0.3
OCR_KWARGS = {"config": "--psm 11"}
TYPE_ORDER = ["BANNER_NAME", "NAME", "NHS_NUMBER", "DATE_OF_BIRTH", "AGE", "HOSPITAL_NUMBER", "ADDRESS",
              "POSTCODE", "PHONE", "EMAIL"]


def screens(binary, d, n):
    subprocess.run([binary, "redact", "screens", d, "--first", str(FIRST_SEED), "--count", str(n)], check=True,
                   capture_output=True)
    seeds = sorted(int(os.path.basename(p)[:-4]) for p in glob.glob(os.path.join(d, "*.png")))
    if len(seeds) != n:
        sys.exit(f"screens: asked for {n} screens, got {len(seeds)}")
    return seeds


def run_candour(binary, src, out, seeds):
    """One `candour redact image SRC OUT` process: its own per-image median, and wall time / N."""
    t0 = time.perf_counter()
    p = subprocess.run([binary, "redact", "image", src, out], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"candour redact image failed ({p.returncode}): {p.stderr[-2000:]}")
    m = re.search(r"(\d+) images, median ([0-9.]+) s per image", p.stdout)
    if not m or int(m.group(1)) != len(seeds):
        sys.exit(f"candour redact image: unexpected output {p.stdout!r}")
    boxes = {}
    for s in seeds:
        with open(os.path.join(out, f"{s}.boxes.json")) as f:
            boxes[s] = [(b["x"], b["y"], b["w"], b["h"]) for b in json.load(f)["boxes"]]
    return boxes, float(m.group(2)), wall / len(seeds)


def run_presidio(src, seeds):
    """ImageAnalyzerEngine.analyze() per screen (OCR + analyzer; no drawing or encoding)."""
    from presidio_image_redactor import ImageAnalyzerEngine, TesseractOCR
    t0 = time.perf_counter()
    engine = ImageAnalyzerEngine(analyzer_engine=presidio_analyzer(), ocr=TesseractOCR())
    init = time.perf_counter() - t0
    images = {}
    for s in seeds:
        with Image.open(os.path.join(src, f"{s}.png")) as im:
            images[s] = im.convert("RGB")
    engine.analyze(images[seeds[0]], ocr_kwargs=OCR_KWARGS, score_threshold=THRESHOLD)  # warm-up, untimed
    results, times = {}, []
    for s in seeds:
        t0 = time.perf_counter()
        res = engine.analyze(images[s], ocr_kwargs=OCR_KWARGS, score_threshold=THRESHOLD)
        times.append(time.perf_counter() - t0)
        results[s] = res
    return results, times, init


def presidio_boxes(results, join=True):
    """Presidio returns one box per OCR word. Words of one entity on one line are joined into one box (as
    Candour draws them), so the blank gap between "943" and "476" is not counted as a leak; then padded by PAD."""
    words = {}
    for r in results:
        words.setdefault((r.entity_type, r.start, r.end), []).append([r.left, r.top, r.width, r.height])
    boxes = []
    for ws in words.values():
        line = [ws[0]]
        for w in ws[1:] + [None]:
            x, y, bw, bh = line[-1]
            if join and w and abs(w[1] - y) < max(bh, w[3]) / 2 and 0 <= w[0] - (x + bw) <= 2 * max(bh, w[3]):
                line.append(w)
                continue
            x0, y0 = min(b[0] for b in line), min(b[1] for b in line)
            x1, y1 = max(b[0] + b[2] for b in line), max(b[1] + b[3] for b in line)
            boxes.append((x0 - PAD, y0 - PAD, x1 - x0 + 2 * PAD, y1 - y0 + 2 * PAD))
            line = [w]
    return boxes


def score(src, seeds, boxes):
    """One scorer for both peers: per-type box recall and must-keep damage, on pixel masks."""
    per_type, keep_hit, keep_total, leaked = {}, 0, 0, 0
    for s in seeds:
        with Image.open(os.path.join(src, f"{s}.png")) as im:
            w, h = im.size
        mask = np.zeros((h, w), dtype=bool)
        for x, y, bw, bh in boxes[s]:
            mask[max(y, 0):max(y + bh, 0), max(x, 0):max(x + bw, 0)] = True
        with open(os.path.join(src, f"{s}.json")) as f:
            labels = json.load(f)
        left = False
        for b in labels:
            frac = float(mask[b["y"]:b["y"] + b["h"], b["x"]:b["x"] + b["w"]].mean())
            if b["type"] == "KEEP":
                keep_total += 1
                keep_hit += frac > DAMAGED
            else:
                t = per_type.setdefault(b["type"], [0, 0])
                t[0] += frac >= COVERED
                t[1] += 1
                left |= frac < COVERED
        leaked += left
    found, total = sum(v[0] for v in per_type.values()), sum(v[1] for v in per_type.values())
    return {"per_type": {k: {"found": int(v[0]), "total": v[1], "recall": v[0] / v[1]} for k, v in per_type.items()},
            "box_recall": found / total, "boxes": total, "missed": total - found,
            "screen_leak_rate": leaked / len(seeds), "keep_damaged": keep_hit / keep_total, "keep_boxes": keep_total}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candour", default="target/release/candour")
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--json", help="write a JSON summary here")
    a = ap.parse_args()
    if os.environ.get("OMP_THREAD_LIMIT") != "1":
        sys.exit("set OMP_THREAD_LIMIT=1 (scripts/presidio-bench --images does)")

    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "screens"), os.path.join(tmp, "candour")
        seeds = screens(a.candour, src, a.n)
        print(f"screens: {len(seeds)} ({seeds[0]}-{seeds[-1]}), affinity {sorted(os.sched_getaffinity(0))}",
              file=sys.stderr)
        c_boxes, c_med, c_wall = run_candour(a.candour, src, out, seeds)
        print(f"candour: median {c_med:.3f} s/image, wall {c_wall:.3f} s/image", file=sys.stderr)
        p_res, p_times, p_init = run_presidio(src, seeds)
        p_med = statistics.median(p_times)
        print(f"presidio: init {p_init:.2f} s, median {p_med:.3f} s/image", file=sys.stderr)
        cs, ps = score(src, seeds, c_boxes), score(src, seeds, {s: presidio_boxes(r) for s, r in p_res.items()})
        pw = score(src, seeds, {s: presidio_boxes(r, join=False) for s, r in p_res.items()})

    ratio = p_med / c_med
    types = [t for t in TYPE_ORDER if t in cs["per_type"]] + sorted(set(cs["per_type"]) - set(TYPE_ORDER))
    print(f"\n### {a.n} synthetic EPR screens (seeds {seeds[0]}-{seeds[-1]}), {cs['boxes']} identifier boxes, "
          f"{cs['keep_boxes']} must-keep boxes\n")
    print("| Type | Boxes | Candour recall | Presidio recall |")
    print("|---|---|---|---|")
    for t in types:
        c, p = cs["per_type"][t], ps["per_type"][t]
        print(f"| {t} | {c['total']} | {c['recall']:.3f} ({c['total'] - c['found']} missed) | "
              f"{p['recall']:.3f} ({p['total'] - p['found']} missed) |")
    print("\n| Metric | Candour | Presidio |")
    print("|---|---|---|")
    print(f"| Box recall (≥{COVERED:.0%} of pixels covered) | **{cs['box_recall']:.3f}** | "
          f"**{ps['box_recall']:.3f}** |")
    print(f"| Box recall, Presidio's word boxes not joined | | {pw['box_recall']:.3f} |")
    print(f"| Screens with an identifier not covered | {cs['screen_leak_rate']:.0%} | {ps['screen_leak_rate']:.0%} |")
    print(f"| Must-keep boxes damaged (>{DAMAGED:.0%} covered) | {cs['keep_damaged']:.1%} | {ps['keep_damaged']:.1%} |")
    print(f"| Median s per image (1 core) | **{c_med:.3f}** (whole process: {c_wall:.3f}) | **{p_med:.3f}** "
          f"(analyze() only; +{p_init:.1f} s init) |")
    print(f"| Time ratio (Presidio / Candour) | | **{ratio:.2f}×** |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"n": a.n, "seeds": [seeds[0], seeds[-1]], "pad_presidio": PAD, "score_threshold": THRESHOLD,
                       "candour": {**cs, "median_s": c_med, "wall_s_per_image": c_wall},
                       "presidio": {**ps, "median_s": p_med, "seconds": p_times, "init_s": p_init,
                                    "box_recall_words_not_joined": pw["box_recall"]},
                       "ratio": ratio}, f, indent=1)


if __name__ == "__main__":
    main()
