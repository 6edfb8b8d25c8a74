// NICIP codes with no SNOMED CT map
// Codes that no MAPS_TO relationship leaves: nothing to migrate them to yet.
MATCH (n:NicipCode)
WHERE NOT (n)-[:MAPS_TO]->(:SnomedConcept)
OPTIONAL MATCH (n)-[:OF_MODALITY]->(m:Modality)
RETURN n.code AS code, n.description AS description, m.name AS modality
ORDER BY code
