// Where the two OPCS-4 paths disagree
// NICIP codes whose main OPCS-4 codes from the NICIP to OPCS-4 map differ from those
// their SNOMED CT concept's OPCS-4 map gives, with what only one path has. Subsidiary
// codes (chapters Y and Z: contrast, body areas, laterality) are shown but not compared.
// Codes with just one path are listed by the orphan queries instead.
MATCH (n:NicipCode)-[:MAPS_TO_OPCS]->(d:OpcsCode)
WITH n, collect(DISTINCT d.dotted) AS direct
MATCH (n)-[:MAPS_TO]->(:SnomedConcept)-[:MAPS_TO_OPCS]->(v:OpcsCode)
WITH n, direct, collect(DISTINCT v.dotted) AS via_snomed
WITH n, direct, via_snomed,
     [x IN direct WHERE NOT x IN via_snomed AND NOT left(x, 1) IN ['Y', 'Z']] AS only_direct,
     [x IN via_snomed WHERE NOT x IN direct AND NOT left(x, 1) IN ['Y', 'Z']] AS only_via_snomed
WHERE size(only_direct) > 0 OR size(only_via_snomed) > 0
OPTIONAL MATCH (n)-[:OF_MODALITY]->(m:Modality)
RETURN n.code AS code, n.description AS description, m.name AS modality, direct, via_snomed,
       only_direct, only_via_snomed
ORDER BY code
