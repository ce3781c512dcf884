"""Languages: which the studio writes in and how (``catalog``), which one a text is in
(``detect``, lingua), the output-language check (``checks``), and localising an approved draft
into a linked draft (``localise``, ``cli``)."""
