// Search NICIP codes
// Codes whose code starts with the text, or whose description contains it (any case).
// param code str: the text in upper case, matched against the start of the code
// param words str: the text in lower case, matched inside the description
// param limit int = 25: the most rows to return
MATCH (n:NicipCode)
WHERE n.code STARTS WITH $code OR toLower(coalesce(n.description, '')) CONTAINS $words
RETURN n.code AS key, n.description AS label, n.code = $code AS exact
ORDER BY exact DESC, key
LIMIT $limit
