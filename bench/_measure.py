"""Run the gitops-lint CLI; at exit write this process's own peak RSS (KiB) to $BENCH_RSS_FILE.

/usr/bin/time reports the largest of the process and the git children it waited for (`git log`
over 50,000 commits alone peaks near 230 MiB); this separates the Python side.
"""
import atexit
import os
import resource
import sys


def _report() -> None:
    path = os.environ.get("BENCH_RSS_FILE")
    if path:
        with open(path, "w") as out:
            out.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


atexit.register(_report)

from gitops_lint.cli import main

sys.argv[0] = "gitops-lint"
main()
