"""Experiments about the benchmark itself, each runnable as `python -m benchmarks.studies.<name>`.

`plateau` trains every task to a plateau, `regimes` maps replay memories against the white-noise
share of the data (its measured files are in measured/), `condense` is P's whole-dataset condensation
experiment (`itas condense`). It may import benchmarks.orchestration, benchmarks.cost,
benchmarks.config, benchmarks.commands.training_options and the libraries below; nothing imports it
but benchmarks.commands.
"""
