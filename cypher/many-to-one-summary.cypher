// Many-to-one groups counted by kind
// How many SNOMED CT concepts carry several NICIP codes, as laterality families and as
// collisions, and how many codes those groups hold.
MATCH (n:NicipCode)-[:MAPS_TO]->(c:SnomedConcept)
WITH c, count(n) AS code_count, collect(DISTINCT coalesce(n.side_stem, n.code)) AS stems
WHERE code_count > 1
WITH CASE WHEN size(stems) = 1 THEN 'laterality family' ELSE 'collision' END AS kind, code_count
RETURN kind, count(*) AS groups, toInteger(sum(code_count)) AS codes
ORDER BY kind
