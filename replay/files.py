"""Memory files: a replay memory saved after its last task and loaded back (`itas run` with
`output.save_memories`, `itas replay`).

A file is a torch archive of tensors, numbers, strings and containers only, read with
`weights_only=True` so that opening one never runs code. What a memory holds (stored videos,
transcripts, codes, decoders) is written as tagged records and rebuilt from an allowlist; anything
else in a file, or a file torch cannot read, is a one-line DataError naming the file.

The records travel as one inner archive (bytes) beside its SHA-256, checked before the inner archive
is even parsed: torch archives carry no checksum of tensor data, so a flipped byte inside a decoder's
weights would otherwise replay as if nothing happened.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from replay.budget import Budget
from replay.codes import StoredCodes
from replay.registry import MEMORIES, make_memory
from replay.residual_noise import ResidualNoise
from replay.stored import SelectedVideoMemory, StoredVideo, TaskMemory
from replay.tca import TCADecoder
from replay.transcripts import Transcripts
from tasks.atomic_files import write_atomically
from tasks.errors import DataError, first_line

FORMAT = "itas-memory"
VERSION = 2
DATACLASSES = {cls.__name__: cls for cls in (TaskMemory, StoredVideo, Transcripts, StoredCodes, ResidualNoise)}
TAG = "$"


@dataclass
class MemoryFile:
    """A loaded memory with what it was built from: registry name, parameters and label classes."""

    memory: SelectedVideoMemory
    name: str
    params: dict
    classes: list[str]


def save_memory(path: Path, memory: SelectedVideoMemory, name: str, params: dict, classes: list[str]) -> Path:
    """Write `memory` (built by `make_memory(name, budget, **params)`) to `path`, atomically."""
    budget = memory.budget
    content = {
        "memory": name,
        "params": dict(params),
        "budget": {"videos": budget.videos, "bytes": budget.bytes, "count_decoders": budget.count_decoders},
        "classes": list(classes),
        "state": _pack(memory.state_dict()),
    }
    return write_atomically(Path(path), lambda tmp: torch.save(seal(content), tmp))


def seal(content: dict) -> dict:
    """The file's top level: header, and `content` as an inner archive with its SHA-256."""
    buffer = io.BytesIO()
    torch.save(content, buffer)
    payload = buffer.getvalue()
    return {"format": FORMAT, "version": VERSION, "sha256": hashlib.sha256(payload).hexdigest(),
            "payload": torch.frombuffer(bytearray(payload), dtype=torch.uint8)}


def unseal(outer: Any, path: Path) -> dict:
    """`seal` undone: the header checked, the checksum verified, then the inner archive read."""
    if not isinstance(outer, dict) or outer.get("format") != FORMAT:
        raise DataError(f"{path}: not an itas memory file (no '{FORMAT}' header)")
    if outer.get("version") != VERSION:
        raise DataError(f"{path}: memory file version {outer.get('version')!r}, expected {VERSION}")
    payload = outer.get("payload")
    if not isinstance(payload, torch.Tensor) or payload.dtype != torch.uint8 or payload.dim() != 1:
        raise DataError(f"{path}: corrupted memory file (no payload)")
    data = payload.numpy().tobytes()
    if hashlib.sha256(data).hexdigest() != outer.get("sha256"):
        raise DataError(f"{path}: checksum mismatch, the file is damaged (its payload is not what was written)")
    return _read_archive(io.BytesIO(data), path)


def load_memory(path: Path) -> MemoryFile:
    """The memory saved in `path`; DataError (one line, naming the file) for anything unreadable."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: memory file not found")
    content = unseal(_read_archive(path, path), path)
    # Only built-in names: a plugin name would make opening a file import whatever module it names.
    if not isinstance(content.get("memory"), str) or content["memory"] not in MEMORIES:
        raise DataError(f"{path}: memory {content.get('memory')!r} is not one of {', '.join(MEMORIES)} "
                        "(memory files hold built-in memories only)")
    try:
        budget = {key: value for key, value in content["budget"].items() if value is not None}
        memory = make_memory(content["memory"], Budget.parse(budget), **content["params"])
        classes = [str(name) for name in content["classes"]]
        memory.load_state_dict(_unpack(content["state"]))
        memory.check_loaded(len(classes))
    except DataError as err:
        raise DataError(f"{path}: {err}") from None
    except (KeyError, TypeError, ValueError, AttributeError, RuntimeError) as err:
        raise DataError(f"{path}: corrupted memory file ({first_line(err)})") from None
    return MemoryFile(memory, content["memory"], dict(content["params"]), classes)


def unsafe_content(err: pickle.UnpicklingError) -> str | None:
    """torch's refusal of a weights-only load as a short clause naming what the file asked for
    (a global such as `os.system`, or a class to build); None for a file that is merely damaged."""
    for line in str(err).splitlines():
        for marker in ("Unsupported global: GLOBAL ", "but got "):
            if marker in line:
                return f"it asks for {line.split(marker, 1)[1].split(' was not an allowed global')[0].strip().rstrip('.')}"
    return None


def _read_archive(source: Path | io.BytesIO, path: Path) -> Any:
    try:
        return torch.load(source, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        unsafe = unsafe_content(err)
        if unsafe is not None:
            raise DataError(f"{path}: refused, {unsafe}; a memory file holds only arrays and records") from None
        raise DataError(f"{path}: not a readable memory file ({first_line(err, 120)})") from None
    except (zipfile.BadZipFile, RuntimeError, EOFError, ValueError, OSError) as err:
        raise DataError(f"{path}: not a readable memory file ({first_line(err, 120)})") from None


def _pack(obj: Any) -> Any:
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.ndarray):
        return {TAG: "ndarray", "data": torch.from_numpy(np.ascontiguousarray(obj).copy())}
    if isinstance(obj, torch.Tensor):
        return {TAG: "tensor", "data": obj.detach().cpu()}
    if isinstance(obj, TCADecoder):
        shape = [obj.dim, obj.num_classes, obj.latent, obj.hidden]
        return {TAG: "TCADecoder", "shape": shape, "weights": obj.state_dict()}
    if dataclasses.is_dataclass(obj) and type(obj).__name__ in DATACLASSES:
        return {TAG: type(obj).__name__,
                "fields": {f.name: _pack(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    if isinstance(obj, dict):
        return {TAG: "dict", "items": [[_pack(key), _pack(value)] for key, value in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {TAG: type(obj).__name__, "items": [_pack(item) for item in obj]}
    raise TypeError(f"a memory file cannot hold {type(obj).__name__}")


def _unpack(obj: Any) -> Any:
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if not isinstance(obj, dict) or TAG not in obj:
        raise ValueError(f"unexpected {type(obj).__name__} where a tagged record was expected")
    tag = obj[TAG]
    if tag == "ndarray":
        return _tensor(obj["data"]).numpy()
    if tag == "tensor":
        return _tensor(obj["data"])
    if tag == "TCADecoder":
        dim, num_classes, latent, hidden = (int(value) for value in obj["shape"])
        decoder = TCADecoder(dim, num_classes, latent, hidden)
        decoder.load_state_dict(obj["weights"])
        return decoder.freeze()
    if tag in DATACLASSES:
        return DATACLASSES[tag](**{key: _unpack(value) for key, value in obj["fields"].items()})
    if tag == "dict":
        return {_unpack(key): _unpack(value) for key, value in obj["items"]}
    if tag in ("list", "tuple"):
        items = [_unpack(item) for item in obj["items"]]
        return items if tag == "list" else tuple(items)
    raise ValueError(f"unknown record type {tag!r}")


def _tensor(value: Any) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"expected a tensor, got {type(value).__name__}")
    return value
