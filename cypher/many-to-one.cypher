// Many-to-one: several NICIP codes on one SNOMED CT concept
// Each group is told apart: a "laterality family" when its codes differ only by their side
// marker (XWRIB, XWRIL, XWRIR -> 60027007: the side is recorded apart from the concept), a
// "collision" otherwise (codes for different procedures share one concept). Collisions
// come first, then the larger groups.
MATCH (n:NicipCode)-[:MAPS_TO]->(c:SnomedConcept)
WITH c, collect(n.code) AS codes, collect(DISTINCT coalesce(n.side_stem, n.code)) AS stems
WHERE size(codes) > 1
RETURN c.id AS snomed_id, c.term AS snomed_term,
       CASE WHEN size(stems) = 1 THEN 'laterality family' ELSE 'collision' END AS kind,
       size(codes) AS code_count, codes, stems
ORDER BY kind, code_count DESC, snomed_id
