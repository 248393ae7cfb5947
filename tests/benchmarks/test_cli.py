"""The command line's last line of defence: a failed allocation is one line and exit code 2."""
import argparse

import pytest
import torch

from benchmarks import cli

CPU_ALLOCATOR = ("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: "
                 "you tried to allocate 1616000000000 bytes. Error code 12 (Cannot allocate memory)")
CUDA = "CUDA out of memory. Tried to allocate 20.00 GiB. GPU 0 has a total capacity of 79.10 GiB"


def fail_with(monkeypatch, error: BaseException) -> None:
    def handler(args: argparse.Namespace) -> int:
        raise error
    parser = cli.build_parser()
    original = parser.parse_known_args

    def parse(argv=None):
        args, unknown = original(argv)
        args.handler = handler
        return args, unknown
    parser.parse_known_args = parse
    monkeypatch.setattr(cli, "build_parser", lambda: parser)


@pytest.mark.parametrize("error, size", [
    (RuntimeError(CPU_ALLOCATOR), "1616000000000 bytes"),
    (torch.OutOfMemoryError(CUDA), "20.00 GiB"),
    (MemoryError(), None),
])
def test_an_allocation_failure_is_one_line_and_exit_2(monkeypatch, capsys, error, size):
    fail_with(monkeypatch, error)
    assert cli.main(["run", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("itas run: error: out of memory")
    assert (f"(tried to allocate {size})" in err) if size else "tried" not in err
    assert "backbone.maps" in err and "--jobs" in err


def test_other_runtime_errors_still_raise(monkeypatch):
    fail_with(monkeypatch, RuntimeError("shape mismatch"))
    with pytest.raises(RuntimeError, match="shape mismatch"):
        cli.main(["run", "--no-progress"])
