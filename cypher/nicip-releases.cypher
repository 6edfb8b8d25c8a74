// NICIP releases, newest first
// Every release of the NICIP family with its date, label and files; the first row is the
// latest release, which the validity rules judge against.
MATCH (r:Release {family: 'NICIP'})
RETURN r.id AS release, r.label AS label, r.date AS date, r.loaded_at AS loaded_at,
       r.files AS files
ORDER BY coalesce(r.date, '') DESC, r.loaded_at DESC
