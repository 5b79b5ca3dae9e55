#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/seeds/TARGET/ from the
crate's examples, scenario files and docs (docs/testing.md, "Fuzzing"). The seeds are
committed; rerun this after the examples change. The snapshot seeds come from the
replay example (a sealed snapshot, and its bare JSON body).

    python3 fuzz/make_seeds.py
"""
import hashlib, pathlib, re, subprocess, sys, tempfile

root = pathlib.Path(__file__).resolve().parent.parent
seeds = root / "fuzz" / "seeds"
HOOKS = ["disposition", "route", "points", "requalify"]


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = seeds / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


# json_lines: every events file, and each scenario's input lines.
# (The calibration history, 600 KB, is left out: big seeds make every run slow.)
for f in sorted(root.glob("examples/**/*.jsonl")):
    if f.stat().st_size <= 64 * 1024:
        put("json_lines", f.read_bytes())
for f in sorted((root / "tests" / "scenarios").glob("*.scenario")):
    lines = [l[2:] for l in f.read_text().splitlines() if l.startswith("> ")]
    if lines:
        put("json_lines", "\n".join(lines) + "\n")

# policy_toml: every policy file, and every TOML block of the docs.
for f in sorted(root.glob("examples/**/*.toml")):
    put("policy_toml", f.read_bytes())
for f in sorted(root.glob("docs/*.md")) + [root / "README.md"]:
    for block in re.findall(r"```toml\n(.*?)```", f.read_text(), re.S):
        put("policy_toml", block)

# rhai_hook: the hooks of the examples and of the docs, behind their hook's byte.
for f in sorted(root.glob("examples/**/*.toml")) + sorted(root.glob("docs/*.md")):
    text = f.read_text()
    for i, hook in enumerate(HOOKS):
        for body in re.findall(hook + r" = '''\n?(.*?)'''", text, re.S):
            put("rhai_hook", bytes([i]) + body.encode())

# snapshot: the replay example's state after the sample, sealed and bare.
with tempfile.TemporaryDirectory() as tmp:
    for events in ["examples/data/sample.jsonl", "examples/rules/disposition.jsonl"]:
        state = pathlib.Path(tmp) / "state.json"
        subprocess.run(
            ["cargo", "run", "--quiet", "--example", "replay", "--",
             "--events", str(root / events), "--state-out", str(state)],
            cwd=root, check=True, stdout=subprocess.DEVNULL)
        sealed = state.read_bytes()
        put("snapshot", sealed)
        put("snapshot", sealed.split(b"\n", 1)[1])
print("seeds:", {d.name: len(list(d.iterdir())) for d in sorted(seeds.iterdir())}, file=sys.stderr)
