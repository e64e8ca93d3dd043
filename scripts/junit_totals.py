"""Adds up scripts/test's results from the JUnit XML that its runners wrote (gotestsum for Go,
pytest for Python) and prints the closing line that CI reads: "N passed, N failed, N skipped".

    junit_totals.py --report "Go tests" out/test/go.xml 0 --report "Python tests" out/test/python.xml 1 --failed lint

A Go subtest (TestA/case) counts with its parent test, as a pytest parameter ([3.10]) does not;
a Go package that did not build is gotestsum's failed "TestMain". A report that is missing, or a
runner that exited with an error and reported no failing test, counts as one failure, as does
each --failed step (a failure outside any test, such as the lint gate). Before the totals, the
line "Python locks checked for CPython ..." names the Pythons whose lock test passed.
Exits 1 if anything failed.
"""
import argparse
import re
import sys
import xml.etree.ElementTree as ET

LOCK_TEST = "test_locks_install_on"  # e2e/test_lock.py, one case per Python version


def outcomes(path):
    """(test name, "passed" | "failed" | "skipped") for each test case of a JUnit XML file."""
    for case in ET.parse(path).iter("testcase"):
        name = case.get("name", "")
        if "/" in name.split("[", 1)[0]:
            continue  # A Go subtest: its parent passes or fails with it.
        kinds = {child.tag for child in case}
        yield name, ("failed" if kinds & {"failure", "error"} else "skipped" if "skipped" in kinds else "passed")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", nargs=3, action="append", default=[], metavar=("NAME", "XML", "EXIT_STATUS"),
                        help="a runner's name, its JUnit XML file and its exit status")
    parser.add_argument("--failed", action="append", default=[], metavar="STEP", help="a step that failed outside any test")
    args = parser.parse_args()

    totals = {"passed": 0, "failed": len(args.failed), "skipped": 0}
    problems = [f"{step} (see above)" for step in args.failed]
    locks_checked = []
    for name, path, status in args.report:
        try:
            results = list(outcomes(path))
        except (OSError, ET.ParseError) as e:
            problems.append(f"{name}: no JUnit report ({e})")
            totals["failed"] += 1
            continue
        for test, outcome in results:
            totals[outcome] += 1
            if outcome == "passed" and test.startswith(LOCK_TEST + "["):
                locks_checked.append(test[len(LOCK_TEST) + 1:-1])
        if int(status) != 0 and not any(outcome == "failed" for _, outcome in results):
            problems.append(f"{name}: exited with status {status} but no test failed (see above)")
            totals["failed"] += 1
    for problem in problems:
        print(f"--- FAIL: {problem}")
    versions = sorted(locks_checked, key=lambda v: [int(n) for n in re.findall(r"\d+", v)])
    print(f"Python locks checked for CPython {' '.join(versions) or '(none)'} on Linux x86-64")
    print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
    sys.exit(1 if totals["failed"] else 0)


if __name__ == "__main__":
    main()
