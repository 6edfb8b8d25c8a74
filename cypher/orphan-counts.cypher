// Orphans in every direction, counted
// One row with the number of rows each orphan query lists. (Absence is counted with
// OPTIONAL MATCH and count, not NOT (pattern): FalkorDB plans the latter badly at full
// SNOMED CT size.)
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
OPTIONAL MATCH (:Refset {id: $refset})<-[e:MEMBER_OF]-(r:SnomedConcept)
WHERE e.active
OPTIONAL MATCH (r)<-[m:MAPS_TO]-(:NicipCode)
WITH codes, no_snomed, no_opcs, r, count(m) AS r_codes
WITH codes, no_snomed, no_opcs,
     count(CASE WHEN r IS NOT NULL AND r_codes = 0 THEN r END) AS refset_unreached
OPTIONAL MATCH (o:OpcsCode)
WHERE o.imaging AND o.level = 'code'
OPTIONAL MATCH (o)<-[p:MAPS_TO_OPCS]-()
WITH codes, no_snomed, no_opcs, refset_unreached, o, count(p) AS o_maps
RETURN codes, no_snomed AS nicip_without_snomed, no_opcs AS nicip_without_opcs,
       refset_unreached,
       count(CASE WHEN o IS NOT NULL AND o_maps = 0 THEN o END) AS opcs_imaging_unreached
