"""Everything shown to a person outside the notebook's widgets: all HTML from autoescaping fragments
(:mod:`.html`, ``fragments/``), places and decisions in Chinese, and text made safe for spreadsheets."""
