"""Runner, configs and the `itas` CLI; perf/ holds the speed and memory benchmarks."""
