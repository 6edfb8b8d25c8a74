// OPCS-4 codes that SNOMED CT concepts map to
// For each of the given concepts, the OPCS-4 codes of the SNOMED CT to OPCS-4 map
// (dotted), as loaded from the latest SNOMED CT release. (Each id is looked up by its key:
// a WHERE c.id IN [...] filter would read all 396,000 concepts of a full release.)
// param ids str: SNOMED CT ids separated by commas (the CLI passes text)
UNWIND [x IN split($ids, ',') WHERE trim(x) <> '' | toInteger(trim(x))] AS wanted
MATCH (c:SnomedConcept {id: wanted})-[:MAPS_TO_OPCS]->(o:OpcsCode)
RETURN c.id AS id, collect(DISTINCT o.dotted) AS opcs
