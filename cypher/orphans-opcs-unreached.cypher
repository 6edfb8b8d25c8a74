// OPCS-4 imaging codes nothing reaches
// 4-character OPCS-4 codes in the diagnostic imaging categories (U01-U18, U20, U21,
// U35-U37) that no NICIP code and no SNOMED CT concept maps to.
MATCH (o:OpcsCode)
WHERE o.imaging AND o.level = 'code'
OPTIONAL MATCH (o)<-[m:MAPS_TO_OPCS]-()
WITH o, count(m) AS maps
WHERE maps = 0
RETURN o.dotted AS opcs, o.code AS opcs_dotless, o.title AS title
ORDER BY opcs
