"""The `itas` entry point called in-process, its exit code and printed text captured (shared by the
command, resume and bad-input tests)."""
import contextlib
import io

from benchmarks.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def itas_run(config, out) -> tuple[int, str, str]:
    return run_cli("run", str(config), "--out", str(out), "--device", "cpu", "--no-progress", "--jobs", "1")
