"""Talking to a SLURM cluster, and a single-node one to talk to.

`queue` asks squeue (never sacct, which fails noisily where accounting is off) for the states and
pending reasons of a sweep's jobs, and explains a request no node can satisfy in terms of the
config's `cluster` keys; local_slurm.sh installs, starts and stops a one-node SLURM on this machine
for the slurm-marked tests and for trying `--executor slurm` (docs/running/cluster.md). It may
import benchmarks.config and the libraries below benchmarks; benchmarks.orchestration imports it,
never the other way round.
"""
