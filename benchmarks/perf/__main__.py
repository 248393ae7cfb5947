"""`python -m benchmarks.perf --device cpu|cuda [--out perf.json] [--quick]`: itas's compute kernels
against the device's matmul rate, measured in one process.

At paper dims (D 2048, d 256, h 512, C 84; MS-TCN 4 stages x 10 layers x 64 maps) it measures the
float32 matmul rate, replay decoding (frames/s), one network-inversion step in the direct and the
Gram form (frame-steps/s, same frames), TCA training and MS-TCN training (frames/s), each also as a
share of the matmul rate where it is a chain of matrix products (benchmarks/perf/measure.py). Ratios
within one run are what to read; absolute numbers move with the machine's other load.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import torch

from benchmarks.perf.measure import QUICK, Sizes, measure_all
from tasks.atomic_files import write_text_atomically
from tasks.errors import DataError
from tasks.precision import PRECISIONS, use_precision


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.perf", description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--out", type=Path, help="write the measurements as one JSON object to this file")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (D 256, h 64, ...) that run in seconds on a CPU; not paper dims")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32",
                        help="precision of TCA and MS-TCN training, as train.precision (matmul rate and "
                             "inversion are float32)")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's, one per core)")
    for field in ("segments", "inversion_steps", "tca_frames", "repeats"):
        parser.add_argument(f"--{field.replace('_', '-')}", type=int, help=f"override Sizes.{field}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        device = torch.device(args.device)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise DataError("--device cuda: no CUDA device is available")
        use_precision(args.precision, device)
        if args.threads is not None:
            torch.set_num_threads(args.threads)
        overrides = {field: getattr(args, field) for field in ("segments", "inversion_steps", "tca_frames", "repeats")
                     if getattr(args, field) is not None}
        sizes = dataclasses.replace(QUICK if args.quick else Sizes(), **overrides)
        result = measure_all(device, sizes, args.precision, report=print)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.out is not None:
        write_text_atomically(args.out, json.dumps(result, indent=1) + "\n")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
