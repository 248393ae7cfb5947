"""Run orchestration: a validated config → planned runs → trained strategies → files on disk.

`runner` plans the (seed, budget, strategy) runs and drives them through an executor (`executors`:
in-process, a process pool, submitit's local processes or a SLURM job array; `jobs` is the callable
a submitit job runs); `training` trains one run task after task; `checkpoints` and `fingerprints`
make a killed sweep resume exactly where it stopped (`kill_test` proves it); `outputs`,
`predictions`, `replay_pictures` and `loggers` write what a run produced; `live_progress` shows runs
in other processes; `ledger` notes which job runs which run and how failed ones ended, and `status`
reads all of it back for `itas status`; `data` loads a config's dataset and scenario. It may import
benchmarks.config, benchmarks.cluster (what SLURM says) and the libraries below benchmarks (tasks,
results, replay, strategies); never benchmarks.cost, benchmarks.studies, benchmarks.commands or
benchmarks.perf.
"""
