"""Runs many enumsync command lines in one process, each as a user would see it (tests/test_bad_inputs.py).

    python bad_inputs_worker.py CASES.json RESULTS.json

CASES is a list of {"id", "argv", "cwd", "env"}. For each, the CLI runs in-process with file
descriptors 1 and 2 sent to files (so output written by C code is caught too), the working
directory and environment set, and a 10 s alarm (a hang is reported, not waited out).
RESULTS maps each id to {"code", "stdout", "stderr"}; code "hang" for a hang.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import tempfile


MEMORY = 4 * 2**30
HANG_S = 10


class Hang(BaseException):
    """Raised by the alarm: not an Exception, so the CLI's catch-all cannot swallow it."""


def _alarm(signum, frame):
    raise Hang()


def run_one(argv: list[str], cwd: str, env: dict) -> dict:
    from enumsync.cli import main
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    out_f, err_f = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    saved_fds = os.dup(1), os.dup(2)
    os.dup2(out_f.fileno(), 1)
    os.dup2(err_f.fileno(), 2)
    code: object = 0
    try:
        os.environ.update(env)
        os.chdir(cwd)
        signal.alarm(HANG_S)
        try:
            main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Hang:
            code = "hang"
        except BaseException as e:  # noqa: BLE001 - reported as the failure it is
            import traceback
            traceback.print_exc()
            code = f"escaped {type(e).__name__}"
        finally:
            signal.alarm(0)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_fds[0], 1)
        os.dup2(saved_fds[1], 2)
        os.close(saved_fds[0])
        os.close(saved_fds[1])
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    out_f.seek(0)
    err_f.seek(0)
    return {"code": code, "stdout": out_f.read().decode("utf-8", "replace"),
            "stderr": err_f.read().decode("utf-8", "replace")}


def main() -> None:
    cases_path, results_path = sys.argv[1:3]
    signal.signal(signal.SIGALRM, _alarm)
    import resource     # a runaway allocation is a MemoryError in the case, not the OOM killer
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    with open(cases_path) as f:
        cases = json.load(f)
    results = {}
    for c in cases:
        print(c["id"], file=sys.stderr, flush=True)     # the last line names the case of a crash
        results[c["id"]] = run_one(c["argv"], c["cwd"], c["env"])
    with open(results_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
