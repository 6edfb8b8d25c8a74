// Releases loaded
// One row per release: its family (NICIP, OPCS-4, SNOMED CT), label and date, the files
// it was read from, their row count, and when it was first loaded. Newest first.
MATCH (r:Release)
RETURN r.id AS release, r.family AS family, r.label AS label, r.date AS date,
       r.files AS files, r.rows AS rows, r.loaded_at AS loaded_at
ORDER BY coalesce(r.date, r.loaded_at) DESC, r.id
