"""Turn the results folder of scripts/gpu/verify-runs.sh into one markdown summary per run.

    python scripts/gpu/summarize.py RESULTS_DIR DOCS_DIR [DATE]

Writes DOCS_DIR/DATE-<run>.md for runs a, b, c, d (with the device, flashinfer version,
build, command, table, findings, timings), using only what the runs wrote.
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

RUNS = {
    "a": ("the flashinfer 0.7.2 pair (its own tllm_enums.py, kept with the build)", ""),
    "b": ("a Python enum with Unspecified = 9, as in sglang 0.5.23", "--python fixtures/gpu/sglang_0_5_23_routing.py"),
    "c": ("a shifted copy: SigmoidRenorm = 8, Sigmoid = 6", "--python fixtures/gpu/shifted_sigmoid_renorm.py"),
    "d": ("MiniMax2 with routed_scaling_factor 2.5: does the kernel follow `routeScale=1.0`?",
          "--methods MiniMax2 --rsf 2.5"),
    "e": ("MiniMax2 and Sigmoid swapped: a crash (no bias where MiniMax2 reads one) stays in its worker",
          "--python fixtures/gpu/sigmoid_minimax2_swapped.py --methods Sigmoid,MiniMax2"),
}


def table(doc: dict) -> list[str]:
    out = ["| member | Python value | C++ at value | expects | kernel ran | cases ok | s | verdict |",
           "|---|---|---|---|---|---|---|---|"]
    for m in doc["verify"]["methods"]:
        exp = "refusal" if m["sentinel"] else m["expected"]
        ran = ", ".join(m["kernel_ran"]) or ("crashed" if m["crashed"] else "refused")
        out.append(f"| {m['member']} | {m['python_value']} | {m['cpp_at_value'] or '-'} | {exp} | {ran} | "
                   f"{m['cases_ok']}/{m['cases_total']} | {m['seconds']:.1f} | {m['verdict']} |")
    return out


def case_table(m: dict, refs: tuple[str, ...]) -> list[str]:
    out = ["| case | status | kernel ms | " + " | ".join(refs) + " |", "|---|---|---|" + "---|" * len(refs)]
    for c in m["cases"]:
        cells = []
        for r in refs:
            x = c.get("refs", {}).get(r)
            if x is None:
                cells.append("n/a")
            else:
                cells.append("match" if x["ok"] else
                             f"no (ids {x['id_mismatch']}/{x['tokens']}, weights {x['weight_bad']}, "
                             f"max err {x['max_weight_err']})")
        out.append(f"| {c['case']} | {c.get('status', '?')} | {c.get('ms', '')} | " + " | ".join(cells) + " |")
    return out


def main(argv: list[str]) -> int:
    res, docs = Path(argv[1]), Path(argv[2])
    date = argv[3] if len(argv) > 3 else time.strftime("%Y-%m-%d")
    docs.mkdir(parents=True, exist_ok=True)
    device = (res / "device.txt").read_text().strip() if (res / "device.txt").exists() else "?"
    timings = (res / "timings.txt").read_text() if (res / "timings.txt").exists() else ""
    build = json.loads((res / "build.json").read_text()) if (res / "build.json").exists() else {}
    for run, (what, args) in RUNS.items():
        p = res / f"{run}.json"
        if not p.exists():
            continue
        doc = json.loads(p.read_text())
        t = re.search(rf"^{run} rc=(\d+) seconds=(\d+)ms", timings, re.M)
        eh = dict(build.get("export_headers", {}))
        if not eh.get("artifact") and eh.get("path"):
            src = Path(eh["path"]).parent / "SOURCE.txt"          # written by shared/scripts/gpu-carry.sh
            if src.is_file():
                eh["artifact"] = src.read_text().strip()
        lines = [f"# GPU run ({run}): {what}", "",
                 f"- date: {date}",
                 "- device:", "", "```", device, "```", "",
                 f"- flashinfer-python {build.get('flashinfer_version')}, routing module built for "
                 f"{build.get('arch')} with nvcc {build.get('nvcc_version')} on the CPU machine "
                 f"({build.get('build_seconds')} s, {build.get('jobs')} jobs, {build.get('builder')})",
                 f"- export headers: {eh.get('artifact')} from {eh.get('origin')} (flashinfer pins "
                 f"{eh.get('expected')}, not on PyPI); workarounds: "
                 + "; ".join(f"`{w['what']}` ({w['why']})" for w in build.get("workarounds", [])),
                 f"- command: `enumsync verify --build-dir .carry/build {args}`".replace("  ", " "),
                 f"- exit code {t.group(1) if t else '?'}, wall time {int(t.group(2)) / 1000:.1f} s "
                 f"(whole command: python start, GPU check, {len(doc['verify']['methods'])} workers, 4 at a time)"
                 if t else "- timing: not recorded", "", *table(doc), ""]
        findings = doc["results"][0]["findings"]
        if findings:
            lines += ["Findings:", ""]
            lines += [f"- {f['rule']} {f['name']} ({f['severity']}): {f['message']}" for f in findings]
            lines.append("")
        refused = [f"- {m['member']} = {m['python_value']}, {r['case']}: {r['message']}"
                   for m in doc["verify"]["methods"] for r in m["refused"]][:6]
        if refused:
            lines += ["Refused cases (the kernel's own message; first six):", "", *refused, ""]
        notes = [f"- {m['member']}: {m['comment_note']}" for m in doc["verify"]["methods"] if m["comment_note"]]
        if notes:
            lines += ["Notes:", "", *notes, ""]
        if run == "d":
            m = doc["verify"]["methods"][0]
            lines += ["Per case, against the kernel-observed reference and the comment's reading:", "",
                      *case_table(m, ("MiniMax2", "MiniMax2[routeScale=1.0]", "DeepSeekV3")), ""]
        (docs / f"{date}-{run}.md").write_text("\n".join(lines) + "\n")
        print(docs / f"{date}-{run}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
