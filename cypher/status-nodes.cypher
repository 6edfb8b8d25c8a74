// Nodes by label
// How many nodes of each kind the graph holds.
MATCH (n)
RETURN labels(n)[0] AS label, count(*) AS count
ORDER BY label
