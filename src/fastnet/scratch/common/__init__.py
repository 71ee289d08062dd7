"""The book's `common` package, on fastnet's kernels.

`import common.layers` in a book script reaches `fastnet.scratch.common.layers`
once `fastnet.scratch.install()` has run (`fastnet run` does it for you).
Each module is a thin layer over the engine (`fastnet.layers`,
`fastnet.optimizers`, `fastnet.functions`, ...): it re-exports what has the
book's contract already and wraps what differs, so that the book's names,
signatures, attributes and results hold. See docs/BOOK_API.md.
"""
