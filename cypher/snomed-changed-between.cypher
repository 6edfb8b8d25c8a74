// SNOMED CT concepts changed between two dates, and the NICIP codes on them
// Concepts whose RF2 effective time falls after $since and on or before $until (ISO
// dates), with their status and the NICIP codes that map to them now.
// param since str: the older date, e.g. 2025-04-01
// param until str: the newer date, e.g. 2025-10-01
MATCH (c:SnomedConcept)<-[:MAPS_TO]-(n:NicipCode)
WHERE c.effective_time > $since AND c.effective_time <= $until
OPTIONAL MATCH (c)-[:REPLACED_BY]->(r:SnomedConcept)
RETURN c.id AS snomed_id, c.term AS term, c.active AS active, c.effective_time AS changed,
       collect(DISTINCT n.code) AS nicip_codes, collect(DISTINCT r.id) AS replaced_by
ORDER BY changed, snomed_id
