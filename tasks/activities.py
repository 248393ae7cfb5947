"""Data for the `breakfast-like` procedural preset: the real Breakfast label set, each activity's
real action set, a transcript grammar per activity and the real segment-length statistics.

The grammars are hand-written so that the mean number of foreground segments per activity is close
to the one counted in the real Breakfast groundTruth (Kuehne et al., CVPR 2014) and every action
of an activity is used, as in the real data.
"""
from __future__ import annotations

from dataclasses import dataclass

BACKGROUND = "SIL"

# The real Breakfast mapping.txt, in id order.
BREAKFAST_ACTIONS: tuple[str, ...] = (
    "SIL", "pour_cereals", "pour_milk", "stir_cereals", "take_bowl", "pour_coffee", "take_cup",
    "spoon_sugar", "stir_coffee", "pour_sugar", "pour_oil", "crack_egg", "add_saltnpepper",
    "fry_egg", "take_plate", "put_egg2plate", "take_eggs", "butter_pan", "take_knife",
    "cut_orange", "squeeze_orange", "pour_juice", "take_glass", "take_squeezer", "spoon_powder",
    "stir_milk", "spoon_flour", "stir_dough", "pour_dough2pan", "fry_pancake",
    "put_pancake2plate", "pour_flour", "cut_fruit", "put_fruit2bowl", "peel_fruit", "stir_fruit",
    "cut_bun", "smear_butter", "take_topping", "put_toppingOnTop", "put_bunTogether",
    "take_butter", "stir_egg", "pour_egg2pan", "stirfry_egg", "add_teabag", "pour_water",
    "stir_tea",
)


@dataclass(frozen=True)
class Block:
    """Consecutive steps of a grammar, each (action, probability it happens); with `one_of`
    exactly one step happens, chosen with those probabilities as weights (e.g. oil or butter in
    the pan). The whole block runs again with probability `again` after each pass (e.g. the
    cut_fruit → put_fruit2bowl loop)."""

    steps: tuple[tuple[str, float], ...]
    again: float = 0.0
    one_of: bool = False


@dataclass(frozen=True)
class Grammar:
    """Canonical order as blocks; `swap` is the probability that two adjacent steps trade places."""

    blocks: tuple[Block, ...]
    swap: float

    def actions(self) -> list[str]:
        return [action for block in self.blocks for action, _ in block.steps]


def _step(action: str, keep: float = 1.0) -> Block:
    return Block(((action, keep),))


def _loop(*actions: tuple[str, float], again: float) -> Block:
    return Block(tuple(actions), again=again)


def _either(*actions: tuple[str, float]) -> Block:
    return Block(tuple(actions), one_of=True)


# Mostly near-certain steps: real transcripts are stereotyped (7 to 51 distinct per ~170 videos).
BREAKFAST_GRAMMARS: dict[str, Grammar] = {
    "cereals": Grammar((
        _step("take_bowl", 0.5), _step("pour_cereals"), _step("pour_milk"),
        _step("stir_cereals", 0.35),
    ), swap=0.03),
    "coffee": Grammar((
        _step("take_cup", 0.2), _step("pour_coffee"), _step("spoon_sugar", 0.2),
        _step("pour_sugar", 0.1), _step("pour_milk", 0.75), _step("stir_coffee", 0.3),
    ), swap=0.02),
    "friedegg": Grammar((
        _either(("pour_oil", 0.7), ("butter_pan", 0.3)), _step("take_eggs", 0.15),
        _loop(("crack_egg", 1.0), ("fry_egg", 0.95), again=0.05),
        _step("add_saltnpepper", 0.6), _step("take_plate", 0.2), _step("put_egg2plate", 0.95),
    ), swap=0.02),
    "juice": Grammar((
        _step("take_squeezer", 0.2), _step("take_glass", 0.8), _step("take_plate", 0.1),
        _step("take_knife", 0.3),
        _loop(("cut_orange", 1.0), ("squeeze_orange", 1.0), again=0.1),
        _step("pour_juice", 0.95),
    ), swap=0.02),
    "milk": Grammar((
        _step("take_cup", 0.8), _step("spoon_powder", 0.85), _step("pour_milk"),
        _step("stir_milk", 0.85),
    ), swap=0.05),
    "pancake": Grammar((
        _step("take_bowl", 0.9), _step("take_eggs", 0.1), _step("crack_egg", 0.95),
        _either(("spoon_flour", 0.85), ("pour_flour", 0.15)), _step("pour_milk", 0.95),
        _step("stir_dough"), _either(("pour_oil", 0.3), ("butter_pan", 0.7)),
        _loop(("pour_dough2pan", 1.0), ("fry_pancake", 1.0), again=0.05),
        _step("take_plate", 0.15), _step("put_pancake2plate", 0.95),
    ), swap=0.02),
    "salat": Grammar((
        _step("take_bowl", 0.9), _step("take_plate", 0.1), _step("take_knife", 0.15),
        _step("peel_fruit", 0.2),
        _loop(("cut_fruit", 1.0), ("put_fruit2bowl", 1.0), again=0.6),
        _step("stir_fruit", 0.8),
    ), swap=0.02),
    "sandwich": Grammar((
        _step("take_plate", 0.1), _step("take_knife", 0.2), _step("cut_bun", 0.95),
        _step("take_butter", 0.1), _step("smear_butter", 0.9), _step("take_topping", 0.15),
        _step("put_toppingOnTop", 0.95), _step("put_bunTogether", 0.7),
    ), swap=0.02),
    "scrambledegg": Grammar((
        _either(("pour_oil", 0.8), ("butter_pan", 0.2)), _step("take_bowl", 0.95),
        _step("take_eggs", 0.1), _loop(("crack_egg", 1.0), again=0.05), _step("stir_egg", 0.95),
        _step("add_saltnpepper", 0.2), _step("pour_egg2pan", 0.95), _step("stirfry_egg", 0.95),
        _step("take_plate", 0.15), _step("put_egg2plate", 0.95),
    ), swap=0.02),
    "tea": Grammar((
        _step("take_cup", 0.1), _step("add_teabag", 0.95), _step("pour_water", 0.95),
        _step("spoon_sugar", 0.15), _step("pour_sugar", 0.05), _step("stir_tea", 0.2),
    ), swap=0.02),
}


@dataclass(frozen=True)
class LengthStats:
    """Real segment lengths in frames, counted in Breakfast's groundTruth files."""

    fg_median: float
    fg_p10: float
    fg_p90: float
    bg_median: float
    bg_p10: float
    bg_p90: float


BREAKFAST_LENGTHS = LengthStats(
    fg_median=226.0, fg_p10=80.0, fg_p90=830.0, bg_median=47.0, bg_p10=9.0, bg_p90=170.4
)

# Breakfast caps: real videos have 2 to 25 segments.
MAX_SEGMENTS = 25
