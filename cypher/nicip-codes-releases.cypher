// NICIP codes and the dates of the releases that list them
// Used by a load to read side markers across the whole code set and to tell whether the
// release being loaded is the newest one for each code.
MATCH (n:NicipCode)
OPTIONAL MATCH (n)-[:IN_RELEASE]->(r:Release)
RETURN n.code AS code, n.description AS description, collect(r.date) AS release_dates
