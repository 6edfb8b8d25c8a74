// NICIP codes with no OPCS-4 code by either path
// Neither the NICIP to OPCS-4 map nor the SNOMED CT concept's OPCS-4 map gives the code an
// OPCS-4 code, so activity under it cannot be grouped for payment.
MATCH (n:NicipCode)
WHERE NOT (n)-[:MAPS_TO_OPCS]->(:OpcsCode)
  AND NOT (n)-[:MAPS_TO]->(:SnomedConcept)-[:MAPS_TO_OPCS]->(:OpcsCode)
OPTIONAL MATCH (n)-[:OF_MODALITY]->(m:Modality)
RETURN n.code AS code, n.description AS description, m.name AS modality
ORDER BY code
