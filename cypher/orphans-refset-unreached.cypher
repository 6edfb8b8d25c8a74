// Reference set concepts no NICIP code reaches
// Active members of the UK imaging procedure reference set (or another given refset) that
// no NICIP code maps to: procedures with no short code.
// param refset int = 999001111000000105: the reference set (default: UK diagnostic imaging procedures)
MATCH (:Refset {id: $refset})<-[e:MEMBER_OF]-(c:SnomedConcept)
WHERE e.active
OPTIONAL MATCH (c)<-[m:MAPS_TO]-(:NicipCode)
WITH c, count(m) AS codes
WHERE codes = 0
RETURN c.id AS snomed_id, c.term AS term, c.active AS concept_active
ORDER BY term, snomed_id
