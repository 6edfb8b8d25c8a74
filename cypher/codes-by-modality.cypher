// NICIP codes by modality
// How many codes each modality has, and by which rule the modality was found.
MATCH (n:NicipCode)-[e:OF_MODALITY]->(m:Modality)
RETURN m.name AS modality, count(n) AS codes, collect(DISTINCT e.rule)[0..3] AS rules
ORDER BY codes DESC, modality
