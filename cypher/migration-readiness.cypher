// Migration readiness of every NICIP code
// How ready each code is to move to native SNOMED CT, judged from its current map:
// "retired" (inactive, or left out of the latest NICIP release; with the successors the
// release names), "no target" (no SNOMED CT map), "several targets",
// "inactive target, replaced" / "inactive target, no replacement" (the concept is
// inactive; replacements from the historical associations), "collision" (the concept also
// carries codes for other procedures), "laterality family" (the concept is shared only
// with codes that differ by side: record the side separately), "one-to-one" (ready).
OPTIONAL MATCH (latest:Release {family: 'NICIP'})
WITH latest ORDER BY coalesce(latest.date, '') DESC, latest.loaded_at DESC LIMIT 1
MATCH (n:NicipCode)
OPTIONAL MATCH (n)-[listed:IN_RELEASE]->(latest)
OPTIONAL MATCH (n)-[:OF_MODALITY]->(m:Modality)
OPTIONAL MATCH (n)-[:MAPS_TO]->(c:SnomedConcept)
OPTIONAL MATCH (c)<-[:MAPS_TO]-(o:NicipCode)
OPTIONAL MATCH (c)-[:REPLACED_BY]->(r:SnomedConcept)
OPTIONAL MATCH (n)-[:REPLACED_BY]->(s:NicipCode)
WITH n, m, latest, listed, collect(DISTINCT c) AS targets, collect(DISTINCT o) AS on_targets,
     collect(DISTINCT r.id) AS replacements, collect(DISTINCT s.code) AS successors
// The code itself is among the codes on its targets: left out here, not by a WHERE on the
// OPTIONAL MATCH above, which FalkorDB runs four times slower.
WITH n, m, latest, listed, targets, replacements, successors,
     [x IN on_targets WHERE x.code <> n.code] AS others
WITH n, m, latest, listed, targets, replacements, successors, [x IN others | x.code] AS sharing,
     [x IN others WHERE n.side_stem IS NULL OR x.side_stem IS NULL
                     OR x.side_stem <> n.side_stem | x.code] AS colliding
RETURN n.code AS code, n.description AS description, m.name AS modality,
       CASE
         WHEN n.active = false OR (latest IS NOT NULL AND listed IS NULL) THEN 'retired'
         WHEN size(targets) = 0 THEN 'no target'
         WHEN size(targets) > 1 THEN 'several targets'
         WHEN targets[0].active = false AND size(replacements) > 0 THEN 'inactive target, replaced'
         WHEN targets[0].active = false THEN 'inactive target, no replacement'
         WHEN size(colliding) > 0 THEN 'collision'
         WHEN size(sharing) > 0 THEN 'laterality family'
         ELSE 'one-to-one'
       END AS readiness,
       [t IN targets | t.id] AS targets, [t IN targets | t.term] AS target_terms,
       replacements, sharing, colliding, n.side_name AS laterality, successors
ORDER BY code
