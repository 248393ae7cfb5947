"""Data in, experiences out: MS-TCN layout I/O and validation, the procedural dataset,
label spaces, incremental splits, and the atomic file writes every package uses.
Imports none of the other itas packages."""
from tasks.errors import DataError
from tasks.video import Video, segments, tile_segments

__all__ = ["DataError", "Video", "segments", "tile_segments"]
