"""The schema of every config key (pydantic): its type, range or choices, and the checks across keys,
applied to the whole config before any data is loaded, anything trained or any output written.

The defaults and their documentation stay in `benchmarks.config.DEFAULTS`; this module says what
each key accepts (`Expect`, also the "accepts" column of the generated configs reference). Values
are checked, never converted: a valid config resolves to exactly the values its YAML holds, so run
fingerprints do not change. Strategy `params` are checked by each strategy's registry entry when
`prepare_experiment` builds it (strategies/params.py), and a budget by `replay.budget.Budget.parse`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, ValidationError,
                      create_model, model_validator)
from pydantic_core import PydanticCustomError, core_schema

from replay.budget import Budget
from tasks.errors import DataError
from tasks.procedural import CAMERAS, MAX_DIM, MAX_LENGTH_SCALE, MAX_PERSONS, GeneratorParams
from tasks.safe_paths import check_name

MAX_SEED = 2**32 - 1  # numpy's legacy seeding bound; torch, numpy and random all accept 0..2^32-1
MAX_MAPS = 4096       # backbone channels
MAX_DEPTH = 16        # stages, and layers per stage (MS-TCN's layer i dilates by 2^i frames)
MAX_THREADS = 1024
MAX_BATCH = 1_000_000  # videos per mini-batch (torch's samplers fail beyond sys.maxsize)
STRICT = ConfigDict(extra="forbid", strict=True)


@dataclass(frozen=True)
class Expect:
    """What a key accepts, in words: the error for any value its type refuses ("'train.lr' must be a
    positive number, got 'fast'") and the configs reference's "accepts" column."""

    text: str
    kind: str = "expected"  # "choice": the message reads "'key' is X; expected one of ..."

    def __get_pydantic_core_schema__(self, source: Any, handler) -> core_schema.CoreSchema:
        def wrap(value: Any, validate):
            try:
                return validate(value)
            except ValidationError:
                raise PydanticCustomError(self.kind, self.text) from None

        return core_schema.no_info_wrap_validator_function(wrap, handler(source))


def integer(low: int = 1, high: int | None = None) -> Any:
    text = "a positive integer" if (low, high) == (1, None) else (
        f"an integer >= {low}" if high is None else f"an integer in {low}..{high}")
    return Annotated[int, Field(ge=low, le=high), Expect(text)]


def number(text: str, **bounds: float) -> Any:
    """A finite int or float (never a boolean) within `bounds` (pydantic's gt/ge/lt/le)."""
    return Annotated[float, Field(allow_inf_nan=False, **bounds), Expect(text)]


def nullable(annotation: Any) -> Any:
    text = next(item.text for item in annotation.__metadata__ if isinstance(item, Expect))
    return Annotated[Optional[annotation], Expect(f"{text} or null")]


def choice(options: tuple[str, ...]) -> Any:
    return Annotated[Literal[tuple(options)], Expect(f"one of {', '.join(options)}", "choice")]


def pluggable(options: tuple[str, ...]) -> Any:
    """One of `options`, or the name of a backbone outside itas (tasks.plugins), found and checked."""
    def find(value: str) -> str:
        if value not in options:
            # Imported here: torch and Avalanche load only for a config that names an outside backbone.
            from strategies.backbones import backbone_factory
            try:
                backbone_factory(value)
            except DataError as err:
                raise PydanticCustomError("plugin", str(err)) from None
        return value

    text = f"one of {', '.join(options)}, or a plugin (an itas.backbones entry point or package.module:factory)"
    return Annotated[str, Expect(text, "choice"), AfterValidator(find)]


def plain_name(value: str) -> str:
    """A label names files (runs/<label>__<budget>__seed<s>.json ...): a plain file name."""
    try:
        return check_name(value, "label")
    except DataError as err:
        raise ValueError(str(err)) from None


FLAG = Annotated[bool, Expect("true or false")]
PATH = nullable(Annotated[str, Expect("a path (text)")])
LABEL = Annotated[str, AfterValidator(plain_name),
                  Expect("a plain file name (text; no '/', '\\', '.', '..' or control characters)")]


def section_types(choices: dict, loggers: tuple[str, ...]) -> dict[str, dict]:
    """Section -> key -> accepted type, for every key of DEFAULTS' sections."""
    videos_limit = MAX_PERSONS * len(CAMERAS)
    return {
        "data": {
            "preset": choice(choices["data", "preset"]), "root": PATH,
            "dataset": choice(choices["data", "dataset"]), "activities": PATH,
            "activity_pattern": nullable(Annotated[str, Expect("a regular expression (text)")]),
            "dim": integer(1, MAX_DIM), "videos_per_activity": integer(2, videos_limit),
            "length_scale": number(f"a number in (0, {MAX_LENGTH_SCALE:g}]", gt=0, le=MAX_LENGTH_SCALE),
            "seed": integer(0, MAX_SEED),
            "noise_std": nullable(number("a number >= 0", ge=0)),
            "noise_correlation": nullable(number("a number in [0, 1)", ge=0, lt=1)),
            "structure": number("a number >= 0", ge=0),
            "split": integer(), "sample_rate": nullable(integer()),
            "background": Annotated[list[str], Expect("a list of label names")],
        },
        "protocol": {
            "tasks": integer(), "labels": choice(choices["protocol", "labels"]),
            "seeds": Annotated[list[Annotated[int, Field(ge=0, le=MAX_SEED)]], Field(min_length=1),
                               Expect(f"a non-empty list of integers in 0..{MAX_SEED}")],
        },
        "backbone": {
            "name": pluggable(choices["backbone", "name"]), "stages": integer(1, MAX_DEPTH),
            "layers": integer(1, MAX_DEPTH), "maps": integer(1, MAX_MAPS),
            "dropout": number("a number in [0, 1)", ge=0, lt=1),
            "channel_dropout": number("a number in [0, 1)", ge=0, lt=1),
        },
        "train": {
            "epochs": integer(), "lr": number("a positive number", gt=0), "batch_size": integer(1, MAX_BATCH),
            "eval_batch_size": integer(1, MAX_BATCH), "threads": nullable(integer(1, MAX_THREADS)),
            "precision": choice(choices["train", "precision"]),
        },
        "output": {
            "save_memories": FLAG, "keep_checkpoints": FLAG,
            "loggers": Annotated[list[Literal[tuple(loggers)]], Expect(f"a list of {', '.join(loggers)}")],
            "save_predictions": choice(choices["output", "save_predictions"]),
        },
        "cluster": {  # what every job of `itas run --executor slurm` asks SLURM for
            **{key: nullable(Annotated[str, Expect("a name")]) for key in ("partition", "account", "qos", "constraint")},
            "cpus_per_task": nullable(integer()), "array_parallelism": nullable(integer()),
            "mem_gb": nullable(number("a positive number", gt=0)), "gpus": integer(0), "signal_delay_s": integer(0),
            "extra": Annotated[dict[str, Union[str, bool, int, Annotated[float, Field(allow_inf_nan=False)]]],
                               Expect("a mapping of sbatch option names to values (e.g. {exclusive: true})")],
        },
    }


def strategy_item(value: Any) -> Any:
    """A strategy entry: its name (text), or a mapping with 'name'."""
    if isinstance(value, str):
        return {"name": value}
    if not isinstance(value, dict) or "name" not in value:
        raise PydanticCustomError("expected", "a name or a mapping with 'name'")
    return value


class StrategySpec(BaseModel):
    model_config = STRICT
    name: Annotated[str, Field(min_length=1), Expect("a strategy name (text)")]
    label: LABEL = None  # absent: the name; an explicit null is refused
    params: nullable(Annotated[dict[str, Any], Expect("a mapping")]) = None

    @property
    def file_label(self) -> str:
        return self.label if self.label is not None else self.name


def budget_item(value: Any) -> Budget:
    try:
        return Budget.parse(value)
    except DataError as err:
        raise PydanticCustomError("budget", str(err)) from None


class Consistency(BaseModel):
    """The whole config's checks across keys, each message naming the keys involved."""

    model_config = STRICT

    @model_validator(mode="after")
    def consistent(self):
        for check in (check_labels, check_seeds, check_budgets, check_custom_dataset, check_generator):
            problem = check(self)
            if problem:
                raise PydanticCustomError("consistency", problem)
        return self


def check_labels(cfg) -> str | None:
    seen: dict[str, tuple[int, str]] = {}
    for i, entry in enumerate(cfg.strategies):
        label = entry.file_label
        if entry.label is None and (problem := _unsafe(label)):
            return f"'strategies[{i}]': the name {label!r} labels its files: {problem}; give it a 'label'"
        # Case-insensitive disks (macOS, Windows) hold one file for 'ER' and 'er'.
        first = seen.setdefault(label.casefold(), (i, label))
        if first[0] != i:
            if first[1] == label:
                return f"strategy label '{label}' appears twice; give one a distinct 'label'"
            return (f"strategy labels '{first[1]}' and '{label}' name the same files on a case-insensitive "
                    "disk; give one a distinct 'label'")
    return None


def _unsafe(name: str) -> str | None:
    try:
        check_name(name, "label")
    except DataError as err:
        return str(err).split(": ", 1)[-1]
    return None


def check_seeds(cfg) -> str | None:
    seeds = cfg.protocol.seeds
    twice = next((seed for i, seed in enumerate(seeds) if seed in seeds[:i]), None)
    return None if twice is None else f"'protocol.seeds' lists seed {twice} twice (each seed is one run)"


def check_budgets(cfg) -> str | None:
    for i, budget in enumerate(cfg.budgets):
        if budget in cfg.budgets[:i]:
            first = cfg.budgets.index(budget)
            return f"'budgets[{i}]' is the same budget as 'budgets[{first}]' ({budget.label})"
    return None


def check_custom_dataset(cfg) -> str | None:
    data = cfg.data
    custom_keys = [key for key in ("activities", "activity_pattern") if getattr(data, key) is not None]
    if data.dataset == "custom" and len(custom_keys) != 1:
        return ("'data.dataset: custom' needs exactly one of 'data.activities' (a file of '<video> <activity>' "
                "lines) or 'data.activity_pattern' (a regex with one group)")
    if data.dataset != "custom" and custom_keys:
        return f"'data.{custom_keys[0]}' applies only with 'data.dataset: custom'"
    return None


def check_generator(cfg) -> str | None:
    """The procedural generator's own rules (e.g. a preset's smallest `dim`), when it is used."""
    data = cfg.data
    if data.root:
        return None
    try:
        GeneratorParams(data.preset, data.dim, data.videos_per_activity, data.length_scale, data.seed,
                        data.noise_std, data.noise_correlation, data.structure).validate()
    except DataError as err:
        return f"data.{err}"
    return None


def config_model(defaults: dict, types: dict[str, dict]) -> type[BaseModel]:
    """The pydantic model of a whole config: one strict model per section of DEFAULTS (with its
    defaults), the strategy and budget lists, and the checks across keys."""
    missing = sorted(f"{section}.{key}" for section, keys in defaults.items() if isinstance(keys, dict)
                     for key in keys if key not in types.get(section, {}))
    if missing:
        raise TypeError(f"config keys without a type in benchmarks/config_schema.py: {', '.join(missing)}")
    sections = {section: create_model(section.capitalize(), __config__=STRICT,
                                      **{key: (types[section][key], value) for key, value in keys.items()})
                for section, keys in defaults.items() if isinstance(keys, dict)}
    entries = Annotated[list[Annotated[StrategySpec, BeforeValidator(strategy_item)]], Field(min_length=1)]
    budgets = Annotated[list[Annotated[Any, PlainValidator(budget_item)]], Field(min_length=1)]
    lists = {"strategies": entries, "budgets": budgets}
    return create_model("Config", __base__=Consistency,
                        **{section: (sections.get(section) or lists[section], ...) for section in defaults})


def schema_message(err: ValidationError, defaults: dict) -> str:
    """The first problem of a validation as one line naming the dotted key: an unknown key first
    (a typo explains the rest), then the first value refused in the order of DEFAULTS."""
    problem = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc, kind, msg = problem["loc"], problem["type"], problem["msg"]
    key = "".join(f"[{part}]" if isinstance(part, int) else f"{'.' if i else ''}{part}" for i, part in enumerate(loc))
    got = _short(problem.get("input"))
    if kind == "extra_forbidden":
        where = loc[:-1]
        allowed = defaults if not where else (("name", "label", "params") if where[0] == "strategies" else defaults[where[0]])
        return f"unknown key '{key}' (allowed: {', '.join(allowed)})"
    if kind == "consistency":
        return msg
    if kind == "budget":
        return f"'{key}': {msg}"
    if kind == "choice":
        return f"'{key}' is {got}; expected {msg}"
    if kind == "expected":
        return f"'{key}' must be {msg}, got {got}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"'{key}' must be a mapping, got {got}"
    if kind in ("list_type", "too_short"):
        return f"'{key}' must be a non-empty list, got {got}"
    return f"'{key}': {msg}"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + " …"


def accepts(model: type[BaseModel], section: str, key: str) -> str:
    """What `section.key` accepts, in the words of its errors (the configs reference's column)."""
    info = model.model_fields[section].annotation.model_fields[key]
    return next(item.text for item in info.metadata if isinstance(item, Expect))
