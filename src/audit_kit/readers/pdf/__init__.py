"""PDFs: the file opened (:mod:`.file`), its text layer's rows rebuilt from word positions (:mod:`.words`,
:mod:`.ruled`), pages without text sent to OCR (:mod:`.scan`), and a page region drawn for review
(:mod:`.region`)."""
