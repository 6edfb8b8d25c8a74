// What two NICIP releases said of every code
// One row per code and release (of the two given): status, description, inactive date,
// SNOMED CT and OPCS-4 maps, and the code's modality. The release diff compares them.
// param old str: the older release id, e.g. nicip:2025-04-01
// param new str: the newer release id, e.g. nicip:2025-10-01
MATCH (n:NicipCode)-[e:IN_RELEASE]->(r:Release)
WHERE r.id = $old OR r.id = $new
OPTIONAL MATCH (n)-[:OF_MODALITY]->(m:Modality)
RETURN n.code AS code, m.name AS modality, r.id AS release, e.active AS active,
       e.description AS description, e.inactive_date AS inactive_date, e.snomed AS snomed,
       e.opcs AS opcs
ORDER BY code, release
