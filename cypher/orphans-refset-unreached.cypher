// Reference set concepts no NICIP code reaches
// Active members of the UK imaging procedure reference set (or another given refset) that
// no NICIP code maps to: procedures with no short code.
// param refset int = 999001111000000105: the reference set (default: UK diagnostic imaging procedures)
MATCH (c:SnomedConcept)-[e:MEMBER_OF]->(:Refset {id: $refset})
WHERE e.active AND NOT (:NicipCode)-[:MAPS_TO]->(c)
RETURN c.id AS snomed_id, c.term AS term, c.active AS concept_active
ORDER BY term, snomed_id
