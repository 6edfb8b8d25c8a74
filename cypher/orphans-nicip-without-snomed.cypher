// NICIP codes with no SNOMED CT map
// Codes that no MAPS_TO relationship leaves: nothing to migrate them to yet. (Absence is
// counted with OPTIONAL MATCH, not NOT (pattern), which FalkorDB runs five times slower.)
MATCH (n:NicipCode)
OPTIONAL MATCH (n)-[s:MAPS_TO]->(:SnomedConcept)
WITH n, count(s) AS maps
WHERE maps = 0
OPTIONAL MATCH (n)-[:OF_MODALITY]->(m:Modality)
RETURN n.code AS code, n.description AS description, m.name AS modality
ORDER BY code
