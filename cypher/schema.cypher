// The nicip-graph schema: one key per node label, and indexes for what the queries look up.
// Written for Neo4j 5 (paste it into Neo4j Browser or cypher-shell); the embedded store
// translates each statement (loader/stores/dialect.py). See cypher/MODEL.md for the model.
CREATE CONSTRAINT nicip_code IF NOT EXISTS FOR (n:NicipCode) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT snomed_id IF NOT EXISTS FOR (n:SnomedConcept) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT opcs_code IF NOT EXISTS FOR (n:OpcsCode) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT modality_name IF NOT EXISTS FOR (n:Modality) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT body_site_key IF NOT EXISTS FOR (n:BodySite) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT refset_id IF NOT EXISTS FOR (n:Refset) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT release_id IF NOT EXISTS FOR (n:Release) REQUIRE n.id IS UNIQUE;
CREATE INDEX nicip_stem IF NOT EXISTS FOR (n:NicipCode) ON (n.side_stem);
CREATE INDEX opcs_dotted IF NOT EXISTS FOR (n:OpcsCode) ON (n.dotted);
// Words in SNOMED CT terms, for search as you type (FalkorDB: see loader/stores/dialect.py).
CREATE FULLTEXT INDEX snomed_terms IF NOT EXISTS FOR (n:SnomedConcept) ON EACH [n.term, n.fsn];
