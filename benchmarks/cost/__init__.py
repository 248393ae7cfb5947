"""The cost model behind `itas estimate` and `itas run --jobs 0`: what a config will cost before it runs.

`cost_data` profiles the data (videos, frames, segments), `calibration` times short real training
steps on this machine, `estimate` turns both into seconds, bytes and peak memory per run, and
`device_jobs` into how many runs fit on one GPU at once. It may import benchmarks.orchestration
(to plan the same runs and build the same backbones), benchmarks.config and the libraries below;
never benchmarks.studies, benchmarks.commands or benchmarks.perf.
"""
