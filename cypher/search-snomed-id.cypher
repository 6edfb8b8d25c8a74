// Find a SNOMED CT concept by id
// The concept with this id, if the graph holds it.
// param id int: the concept id
MATCH (c:SnomedConcept {id: $id})
RETURN toString(c.id) AS key, coalesce(c.term, c.fsn) AS label, true AS exact
