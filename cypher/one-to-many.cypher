// One-to-many: NICIP codes mapped to several SNOMED CT concepts
// A code that maps to more than one concept cannot move to native SNOMED CT without a choice.
MATCH (n:NicipCode)-[:MAPS_TO]->(c:SnomedConcept)
WITH n, collect(c.id) AS snomed_ids, collect(c.term) AS terms
WHERE size(snomed_ids) > 1
RETURN n.code AS code, n.description AS description, size(snomed_ids) AS concept_count,
       snomed_ids, terms
ORDER BY concept_count DESC, code
