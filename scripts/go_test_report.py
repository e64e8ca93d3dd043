"""Summarises a `go test -json` run for scripts/test: one line per package, every skipped test
with its reason, the whole output of every failed test, the 5 slowest tests, and the counts.

Usage: go_test_report.py EVENTS.json COUNTS_FILE
(COUNTS_FILE gets "passed failed skipped" for scripts/test's total.)"""
import json
import sys
from collections import defaultdict


def main():
    events_path, counts_path = sys.argv[1], sys.argv[2]
    output = defaultdict(list)  # (package, test) -> lines
    results = {}  # (package, test) -> (action, seconds)
    packages = []
    for line in open(events_path, encoding="utf-8", errors="replace"):
        line = line.strip()
        if not line.startswith("{"):
            print(line)  # A build error, before any test ran.
            continue
        e = json.loads(line)
        key = (e.get("Package", ""), e.get("Test", ""))
        if e["Action"] == "build-output":
            print(e["Output"], end="")  # A compile error.
        elif e["Action"] == "output":
            output[key].append(e["Output"])
        elif e["Action"] in ("pass", "fail", "skip"):
            if e.get("Test"):
                results[key] = (e["Action"], e.get("Elapsed", 0.0))
            else:
                packages.append((e["Package"], e["Action"], e.get("Elapsed", 0.0)))
    for package, action, seconds in packages:
        tests = [k for k in results if k[0] == package]
        word = {"pass": "ok  ", "fail": "FAIL", "skip": "?   "}[action]
        print(f"{word} {package}  {seconds:.1f}s  ({len(tests)} tests)" if tests or action == "fail"
              else f"{word} {package}  (no tests)")
    top = lambda k: "/" not in k[1]  # noqa: E731 - subtests are counted with their parent.
    skipped = [k for k, (a, _) in results.items() if a == "skip" and top(k)]
    failed = [k for k, (a, _) in results.items() if a == "fail"]
    for package, test in skipped:
        reason = next((o.strip() for o in output[(package, test)] if "SKIP" in o), "no reason printed")
        print(f"--- SKIP: {test} ({package}): {reason}")
    for package, test in failed:
        print(f"--- FAIL: {test} ({package})")
        print("".join(output[(package, test)]), end="")
    slowest = sorted(((s, p, t) for (p, t), (a, s) in results.items() if top((p, t))), reverse=True)[:5]
    print("slowest Go tests: " + "; ".join(f"{t} {s:.1f}s" for s, _, t in slowest))
    passed = sum(1 for k, (a, _) in results.items() if a == "pass" and top(k))
    failed_top = sum(1 for k in failed if top(k))
    with open(counts_path, "w") as f:
        f.write(f"{passed} {failed_top} {len(skipped)}\n")
    if any(action == "fail" for _, action, _ in packages) and not failed:
        print("a package failed without a failing test (build error or panic): see above")


if __name__ == "__main__":
    main()
