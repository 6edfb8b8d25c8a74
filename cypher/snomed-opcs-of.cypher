// OPCS-4 codes that SNOMED CT concepts map to
// For each of the given concepts, the OPCS-4 codes of the SNOMED CT to OPCS-4 map
// (dotted), as loaded from the latest SNOMED CT release.
// param ids str: SNOMED CT ids separated by commas (the CLI passes text)
WITH [x IN split($ids, ',') WHERE trim(x) <> '' | toInteger(trim(x))] AS wanted
MATCH (c:SnomedConcept)-[:MAPS_TO_OPCS]->(o:OpcsCode)
WHERE c.id IN wanted
RETURN c.id AS id, collect(DISTINCT o.dotted) AS opcs
