"""Results: TAS metrics (functional core), R matrices and continual-learning aggregates,
tables and plots built from a run folder's metrics.csv and memory.csv. It may import tasks only;
replay, strategies and benchmarks import it."""
