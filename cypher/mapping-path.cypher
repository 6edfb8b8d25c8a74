// Mapping path of a NICIP code
// One row per SNOMED CT concept the code maps to (one row with empty SNOMED columns if it
// maps to none): its modality and side, the concept and any replacement of an inactive
// concept, the OPCS-4 codes the NICIP to OPCS-4 map gives directly, the OPCS-4 codes the
// concept's map gives, and the other NICIP codes on the same concept.
// param code str: a NICIP code, e.g. XWRIB
MATCH (n:NicipCode {code: $code})
OPTIONAL MATCH (n)-[:OF_MODALITY]->(m:Modality)
OPTIONAL MATCH (n)-[:MAPS_TO_OPCS]->(d:OpcsCode)
WITH n, m, collect(DISTINCT d.dotted) AS opcs_direct
OPTIONAL MATCH (n)-[:MAPS_TO]->(c:SnomedConcept)
OPTIONAL MATCH (c)-[:MAPS_TO_OPCS]->(o:OpcsCode)
WITH n, m, opcs_direct, c, collect(DISTINCT o.dotted) AS opcs_via_snomed
OPTIONAL MATCH (c)-[:REPLACED_BY]->(r:SnomedConcept)
WITH n, m, opcs_direct, c, opcs_via_snomed, collect(DISTINCT r.id) AS replaced_by
OPTIONAL MATCH (c)<-[:MAPS_TO]-(other:NicipCode)
WHERE other.code <> n.code
WITH n, m, opcs_direct, c, opcs_via_snomed, replaced_by, collect(DISTINCT other.code) AS shared_with
OPTIONAL MATCH (c)-[:HAS_SITE]->(s:BodySite)
OPTIONAL MATCH (n)-[:AT_SITE]->(ns:BodySite)
RETURN n.code AS code, n.description AS description, m.name AS modality,
       n.side_name AS laterality, c.id AS snomed_id, c.term AS snomed_term,
       c.active AS snomed_active, replaced_by, opcs_direct, opcs_via_snomed, shared_with,
       coalesce(collect(DISTINCT ns.name), []) + coalesce(collect(DISTINCT s.name), []) AS body_sites
ORDER BY snomed_id
