"""Data in, experiences out: MS-TCN layout I/O and validation, the procedural dataset,
label spaces, incremental splits, and what every package uses: the one error type, atomic file
writes, and finding outside code by entry point or dotted path (`plugins`).
Imports none of the other itas packages."""
from tasks.errors import DataError
from tasks.video import Video, segments, tile_segments

__all__ = ["DataError", "Video", "segments", "tile_segments"]
