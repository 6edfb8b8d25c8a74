// A SNOMED CT concept's status and its membership of a reference set
// Whether the concept is active, whether it is an active member of the refset, and the
// effective time of its membership row (for an inactive member: when it was removed).
// param id int: a SNOMED CT concept id, e.g. 60027007
// param refset int = 999001111000000105: the reference set (default: UK diagnostic imaging procedures)
MATCH (c:SnomedConcept {id: $id})
OPTIONAL MATCH (c)-[e:MEMBER_OF]->(:Refset {id: $refset})
RETURN c.id AS id, c.term AS term, c.active AS active, e.active AS member,
       e.effective_time AS member_since
