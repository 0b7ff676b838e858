"""What everything else is about: the national forms as data (:mod:`.forms`, :mod:`.headings`), the one
intermediate every reader produces (:mod:`.document`), the Report (:mod:`.report`), and the text, numbers and
agency names they are made of."""
