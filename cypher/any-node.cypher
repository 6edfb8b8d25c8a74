// Any node
// One node's label, or no row when the graph is empty (every page checks this first).
MATCH (n)
RETURN labels(n)[0] AS label
LIMIT 1
