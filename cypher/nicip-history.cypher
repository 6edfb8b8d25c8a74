// History of one NICIP code across releases
// What each NICIP release said of the code: status, description, inactive date, and its
// SNOMED CT and OPCS-4 maps in that release. Oldest first.
// param code str: a NICIP code, e.g. XWRIB
MATCH (:NicipCode {code: $code})-[e:IN_RELEASE]->(r:Release)
RETURN r.id AS release, r.date AS date, r.loaded_at AS loaded_at, e.active AS active,
       e.description AS description, e.inactive_date AS inactive_date, e.snomed AS snomed,
       e.opcs AS opcs
ORDER BY coalesce(r.date, ''), r.loaded_at
