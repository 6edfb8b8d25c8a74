// Neighbourhood of a SNOMED CT concept
// The concept itself (a row with empty r and b), then as relationships (a, r, b): the
// NICIP codes on it, its OPCS-4 map, replacements (both ways), parents, children (at
// most 50) and body sites.
// param id int: a SNOMED CT concept id, e.g. 60027007
MATCH (a:SnomedConcept {id: $id})
RETURN a, null AS r, null AS b
UNION ALL
MATCH (a)-[r]->(b:SnomedConcept {id: $id})
WHERE NOT a:SnomedConcept OR type(r) = 'REPLACED_BY'
RETURN a, r, b
UNION ALL
MATCH (a:SnomedConcept {id: $id})-[r]->(b)
RETURN a, r, b
UNION ALL
MATCH (a:SnomedConcept)-[r:IS_A]->(b:SnomedConcept {id: $id})
WITH a, r, b LIMIT 50
RETURN a, r, b
