"""Scans read by OCR: the page cleaned and its layout found (:mod:`.layout`), the text recognised
(:mod:`.engine`), the words made into the common Document (:mod:`.pages`, :mod:`.words`), cached by file hash
(:mod:`.cache`), OCR'd ahead of a batch (:mod:`.prepass`) and cropped again for evidence (:mod:`.crops`)."""
