"""Speed and memory benchmarks that print ratios, not timed tests: `python -m benchmarks.perf` measures
the compute kernels against the device's matmul rate (`measure`), `bench_storage` the bytes of every
memory at Breakfast scale, and device_check.sh is the one-script GPU check. It may import
benchmarks.cost (its synthetic videos), benchmarks.orchestration, benchmarks.config and the libraries
below; nothing else imports it.
"""
