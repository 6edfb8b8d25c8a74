// NICIP codes with no OPCS-4 code by either path
// Neither the NICIP to OPCS-4 map nor the SNOMED CT concept's OPCS-4 map gives the code an
// OPCS-4 code, so activity under it cannot be grouped for payment. (Absence is counted with
// OPTIONAL MATCH, not NOT (pattern), which FalkorDB runs four times slower.)
MATCH (n:NicipCode)
OPTIONAL MATCH (n)-[d:MAPS_TO_OPCS]->(:OpcsCode)
WITH n, count(d) AS direct
OPTIONAL MATCH (n)-[:MAPS_TO]->(:SnomedConcept)-[v:MAPS_TO_OPCS]->(:OpcsCode)
WITH n, direct, count(v) AS via
WHERE direct + via = 0
OPTIONAL MATCH (n)-[:OF_MODALITY]->(m:Modality)
RETURN n.code AS code, n.description AS description, m.name AS modality
ORDER BY code
