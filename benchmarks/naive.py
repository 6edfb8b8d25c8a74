"""The naive anchor: a straightforward loader sending one parameterised query per node and
per relationship.

It reads the same files with the loader's own readers (so only the writing differs), gives
the graph the same keys and indexes (``cypher/schema.cypher``), and writes the same nodes
and relationships as a pipeline load of a NICIP map and an OPCS-4 table: releases, OPCS-4
codes and their hierarchy, NICIP codes, modalities, SNOMED CT concepts, ``MAPS_TO``,
``OF_MODALITY``, ``IN_RELEASE``, then saves like a load does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loader import derive, queries
from loader.discover import discover
from loader.formats import nicip, opcs4
from loader.stores.base import WritePlan
from loader.stores.dialect import split_statements

__all__ = ["naive_load"]


def naive_load(files: list[Path], store: Any) -> dict[str, int]:
    """Load ``files`` into an open, empty embedded ``store`` row by row; counts written."""
    store.apply(WritePlan(split_statements(queries.schema_text()), []))  # keys and indexes
    graph = store._db.select_graph(store._current())
    q = graph.query
    counts = {"queries": 0}
    for found in discover(files):
        release = f"{found.kind}:{found.path.name}"
        q(
            "MERGE (r:Release {id: $id}) SET r.file = $file",
            {"id": release, "file": found.path.name},
        )
        counts["queries"] += 1
        if found.kind == "opcs4":
            for o in opcs4.read_opcs4(found.path):
                q(
                    "MERGE (o:OpcsCode {code: $code}) SET o.dotted = $dotted, o.title = $title, "
                    "o.level = $level, o.imaging = $imaging",
                    {
                        "code": o.code,
                        "dotted": o.dotted,
                        "title": o.title,
                        "level": o.level,
                        "imaging": derive.is_imaging_opcs(o.code),
                    },
                )
                counts["queries"] += 1
                if o.parent:
                    q(
                        "MATCH (o:OpcsCode {code: $code}) MERGE (p:OpcsCode {code: $parent}) "
                        "MERGE (o)-[:CHILD_OF]->(p)",
                        {"code": o.code, "parent": o.parent},
                    )
                    counts["queries"] += 1
        elif found.kind == "nicip":
            _, records = nicip.read_nicip(found.path)
            for rec in records:
                name, rule = derive.modality_from_letter(rec.code)
                for query, params in (
                    ("MERGE (n:NicipCode {code: $code})", {"code": rec.code}),
                    ("MERGE (m:Modality {name: $name})", {"name": name}),
                    (
                        "MATCH (n:NicipCode {code: $code}), (m:Modality {name: $name}) "
                        "MERGE (n)-[e:OF_MODALITY]->(m) SET e.rule = $rule",
                        {"code": rec.code, "name": name, "rule": rule},
                    ),
                    (
                        "MATCH (n:NicipCode {code: $code}), (r:Release {id: $release}) "
                        "MERGE (n)-[e:IN_RELEASE]->(r) SET e.row = $row",
                        {"code": rec.code, "release": release, "row": rec.row},
                    ),
                ):
                    q(query, params)
                    counts["queries"] += 1
                if rec.snomed_id is not None:
                    q("MERGE (c:SnomedConcept {id: $id})", {"id": rec.snomed_id})
                    q(
                        "MATCH (n:NicipCode {code: $code}), (c:SnomedConcept {id: $id}) "
                        "MERGE (n)-[:MAPS_TO]->(c)",
                        {"code": rec.code, "id": rec.snomed_id},
                    )
                    counts["queries"] += 2
    store._redis.save()
    return counts
