"""Figures and display tables: pure functions of metric frames, no ``st.*``.

One module per page (:mod:`overview`, :mod:`progress`, :mod:`teams`), the
parcel map and the score sheet. Each returns a plotly figure, an HTML string
(every ledger value escaped) or plain tuples a page renders; all take
``lang`` so they are testable alone.
"""
