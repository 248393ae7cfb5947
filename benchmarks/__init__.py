"""The benchmark on top of the four libraries: configs, the `itas` CLI and the jobs behind it.

`config` reads and validates experiment YAML over the documented DEFAULTS (bundled configs live in
configs/); `cli` dispatches to one module per subcommand in `commands`. The jobs are split by what
they do: `orchestration` turns a config into trained runs and their files, `cluster` talks to
SLURM (and starts a local one), `cost` predicts what a config will cost before it runs, `studies`
are experiments about the benchmark itself, `perf` measures the compute kernels. benchmarks may import tasks, results, replay and strategies; none of
them may import benchmarks (tests/test_layers.py checks both directions).
"""
