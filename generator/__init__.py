"""policykb: turn archived privacy-policy snapshots into a Material for MkDocs knowledge base.

A map, in the order the pipeline runs (pipeline.py walks it top to bottom):

read/      snapshot files and the YAML site data -> `Snapshot`s (or errors naming file and line);
           filing new snapshots into content/ (`policykb add`, `policykb import-git`)
model.py   the dataclasses every stage shares: Snapshot, Company, Passage, Topic
analyse/   passages, topics, facts, the version history and its diffs; their caches (store.py)
archive.py `load_archive`: read + analyse a content folder -> the `Archive` the pages are made from
render/    the archive -> pages (templates/) and data files; urls.py says where each one lives,
           units.py groups them into the units a rebuild skips when unchanged
write/     the rendered files -> the docs folder, with a manifest of what each unit wrote
publish/   the docs folder -> the site (MkDocs), and `policykb serve`
util/      caches, progress bars, and the paths of the project's own files (paths.py)
pipeline.py  the stages wired together: `write_archive`, `generate`, `build`
cli.py     the `policykb` command line
"""

__version__ = "0.1.0"
