// Releases loaded
// Every file that has been loaded, with its kind, row count, checksum and first load time.
MATCH (r:Release)
RETURN r.id AS release, r.kind AS kind, r.file AS file, r.rows AS rows,
       r.sha256 AS sha256, r.loaded_at AS loaded_at
ORDER BY r.loaded_at, r.file
