"""policykb: turn archived privacy-policy snapshots into a Material for MkDocs knowledge base.

The pipeline, one module per stage:
read (reader) -> model (model) -> analyse (passages, topics, facts, history)
-> render (pages, templates/) -> write (writer) -> publish (publish).
`pipeline` wires the stages together; `cli` is the command-line entry point.
"""

__version__ = "0.1.0"
