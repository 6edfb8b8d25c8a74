// Many-to-one groups by modality
// For each modality, how many of its codes sit in laterality families and in collisions.
MATCH (n:NicipCode)-[:MAPS_TO]->(c:SnomedConcept)
WITH c, collect(n) AS codes, collect(DISTINCT coalesce(n.side_stem, n.code)) AS stems
WHERE size(codes) > 1
WITH CASE WHEN size(stems) = 1 THEN 'laterality family' ELSE 'collision' END AS kind, codes
UNWIND codes AS n
MATCH (n)-[:OF_MODALITY]->(m:Modality)
RETURN m.name AS modality, kind, count(DISTINCT n) AS codes
ORDER BY modality, kind
