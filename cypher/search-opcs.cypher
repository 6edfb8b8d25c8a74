// Search OPCS-4 codes
// Codes whose dotless code starts with the text (dots removed), or whose title contains it.
// param code str: the text in upper case without dots, matched against the start of the code
// param words str: the text in lower case, matched inside the title
// param limit int = 25: the most rows to return
MATCH (o:OpcsCode)
WHERE o.level <> 'chapter'
  AND (o.code STARTS WITH $code OR toLower(coalesce(o.title, '')) CONTAINS $words)
RETURN o.code AS key, o.dotted + ' ' + coalesce(o.title, '') AS label, o.code = $code AS exact
ORDER BY exact DESC, key
LIMIT $limit
