"""Run orchestration: a validated config → planned runs → trained strategies → files on disk.

`runner` plans the (seed, budget, strategy) runs and drives them through an executor (`executors`:
in-process, a process pool, submitit's local processes or a SLURM array); `training` trains one run task after task; `checkpoints` and
`fingerprints` make a killed sweep resume exactly where it stopped (`kill_test` proves it);
`outputs`, `predictions`, `replay_pictures` and `loggers` write what a run produced; `live_progress`
shows runs in other processes; `data` loads a config's dataset and scenario. It may import
benchmarks.config, benchmarks.cluster (SLURM's answers) and the libraries below benchmarks (tasks, results, replay, strategies); never
benchmarks.cost, benchmarks.studies, benchmarks.commands or benchmarks.perf.
"""
