// Neighbourhood of an OPCS-4 code
// The code itself (a row with empty r and b), then as relationships (a, r, b): what maps
// to it (NICIP codes and SNOMED CT concepts, at most 100), its parent and its children.
// param code str: a dotless OPCS-4 code, e.g. U212
MATCH (a:OpcsCode {code: $code})
RETURN a, null AS r, null AS b
UNION ALL
MATCH (a)-[r:MAPS_TO_OPCS]->(b:OpcsCode {code: $code})
WITH a, r, b LIMIT 100
RETURN a, r, b
UNION ALL
MATCH (a:OpcsCode {code: $code})-[r:CHILD_OF]->(b:OpcsCode)
RETURN a, r, b
UNION ALL
MATCH (a:OpcsCode)-[r:CHILD_OF]->(b:OpcsCode {code: $code})
RETURN a, r, b
