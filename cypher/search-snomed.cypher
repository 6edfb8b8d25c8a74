// Search SNOMED CT concepts
// Concepts whose id starts with the digits given, or whose preferred term or FSN contains
// the text (any case).
// param digits str: the text if it is all digits, else an empty string
// param words str: the text in lower case, matched inside the term
// param limit int = 25: the most rows to return
MATCH (c:SnomedConcept)
WHERE ($digits <> '' AND toString(c.id) STARTS WITH $digits)
   OR toLower(coalesce(c.term, '')) CONTAINS $words
   OR toLower(coalesce(c.fsn, '')) CONTAINS $words
RETURN toString(c.id) AS key, coalesce(c.term, c.fsn) AS label, toString(c.id) = $digits AS exact
ORDER BY exact DESC, label
LIMIT $limit
