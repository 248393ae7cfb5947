"""One module per `itas` subcommand, each with `register(subparsers)` and `run(args) -> int`.

A command parses its arguments and hands them to the job that does the work (orchestration, cost,
studies, or the libraries directly); the work itself lives there, not here. It may import every
other benchmarks package and the libraries below; only benchmarks.cli and the studies' shared
training options import it.
"""
