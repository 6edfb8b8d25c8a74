// Search SNOMED CT concepts by words
// Concepts whose preferred term or FSN has, for each word typed, a word starting with it,
// through the full-text index snomed_terms (schema.cypher); best matches first.
// param text str: a full-text query: each word with a trailing *, as the search builds it
// param limit int = 25: the most rows to return
CALL db.index.fulltext.queryNodes('snomed_terms', $text) YIELD node, score
RETURN toString(node.id) AS key, coalesce(node.term, node.fsn) AS label, false AS exact
ORDER BY score DESC, label
LIMIT $limit
