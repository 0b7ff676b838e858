"""From a Document to a Report: one extractor for every format, driven by the forms as data — tokens, the
walk over them, alignment by order, placement into cells (:mod:`.cells`) — then meta, sections and the
figures the narrative states. :func:`load` reads a file and builds its Report."""

from .loader import build, load

__all__ = ["build", "load"]
