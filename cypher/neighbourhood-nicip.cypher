// Neighbourhood of a NICIP code
// The code itself (a row with empty r and b), then its mapping path as relationships
// (a, r, b): its modality and site, its SNOMED CT concepts with their OPCS-4 map,
// replacements, sites and parents, its direct OPCS-4 codes, and the other NICIP codes on
// the same concepts.
// param code str: a NICIP code, e.g. XWRIB
MATCH (a:NicipCode {code: $code})
RETURN a, null AS r, null AS b
UNION ALL
MATCH (a:NicipCode {code: $code})-[r]->(b)
WHERE NOT b:Release
RETURN a, r, b
UNION ALL
MATCH (:NicipCode {code: $code})-[:MAPS_TO]->(a:SnomedConcept)-[r]->(b)
WHERE NOT b:Refset
RETURN a, r, b
UNION ALL
MATCH (:NicipCode {code: $code})-[:MAPS_TO]->(b:SnomedConcept)<-[r:MAPS_TO]-(a:NicipCode)
WHERE a.code <> $code
RETURN a, r, b
