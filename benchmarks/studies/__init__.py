"""Studies that check the benchmark itself: every task trained to a plateau (`plateau`), and the regime map of replay memories against the white-noise share of the data (`regimes`)."""
