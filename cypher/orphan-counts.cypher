// Orphans in every direction, counted
// One row with the number of rows each orphan query lists.
// param refset int = 999001111000000105: the reference set (default: UK diagnostic imaging procedures)
MATCH (n:NicipCode)
OPTIONAL MATCH (n)-[:MAPS_TO]->(c:SnomedConcept)
WITH n, count(c) AS concepts
OPTIONAL MATCH (n)-[:MAPS_TO_OPCS]->(d:OpcsCode)
WITH n, concepts, count(d) AS direct
OPTIONAL MATCH (n)-[:MAPS_TO]->(:SnomedConcept)-[:MAPS_TO_OPCS]->(v:OpcsCode)
WITH n, concepts, direct, count(v) AS via
WITH count(n) AS codes,
     toInteger(sum(CASE WHEN concepts = 0 THEN 1 ELSE 0 END)) AS no_snomed,
     toInteger(sum(CASE WHEN direct + via = 0 THEN 1 ELSE 0 END)) AS no_opcs
OPTIONAL MATCH (r:SnomedConcept)-[e:MEMBER_OF]->(:Refset {id: $refset})
WHERE e.active AND NOT (:NicipCode)-[:MAPS_TO]->(r)
WITH codes, no_snomed, no_opcs, count(DISTINCT r) AS refset_unreached
OPTIONAL MATCH (o:OpcsCode)
WHERE o.imaging AND o.level = 'code' AND NOT ()-[:MAPS_TO_OPCS]->(o)
RETURN codes, no_snomed AS nicip_without_snomed, no_opcs AS nicip_without_opcs,
       refset_unreached, count(DISTINCT o) AS opcs_imaging_unreached
