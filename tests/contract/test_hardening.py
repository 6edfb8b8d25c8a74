"""The console cannot write, a killed load leaves the previous graph, secrets stay secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from loader import queries
from loader.errors import QueryError, ReadOnlyViolation, StoreError
from loader.pipeline import load

from ..conftest import REAL_DATA, ROOT, SAMPLE

#: Ways to write or reach outside; each must be refused by the server, graph unchanged.
WRITES = [
    "CREATE (n:X)",
    "create (n:X)",
    "cReAtE (n:X)",
    "MERGE (n:NicipCode {code: 'ZZZZ'})",
    "WITH 1 AS x MERGE (:X)",
    "OPTIONAL MATCH (n:Nope) MERGE (m:X)",
    "MATCH (n:NicipCode) SET n.code = 'Q'",
    "MATCH (n) SET n = {}",
    "MATCH (n:NicipCode) SET n += {code: 'Q'}",
    "MATCH (n:NicipCode) SET n:Hacked",
    "MATCH (n:NicipCode) DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH ()-[r]->() DELETE r",
    "MATCH (n:NicipCode) REMOVE n.description",
    "MATCH (n:NicipCode) REMOVE n:NicipCode",
    "UNWIND range(1, 10) AS i CREATE (:X {i: i})",
    "MATCH (a:NicipCode), (b:NicipCode) CREATE (a)-[:X]->(b)",
    "MATCH (n:NicipCode) FOREACH (x IN [1] | SET n.p = x)",
    "MATCH (n) WITH n CALL { WITH n DELETE n } RETURN 1",
    "CALL db.labels() YIELD label CREATE (:X {l: label})",
    "MATCH (n) /* harmless */ DETACH DELETE n",
    "// a comment first\nCREATE (n:X)",
    "MATCH (n) RETURN n; CREATE (m:X)",
    "RETURN 1; MATCH (n) DETACH DELETE n",
    "CREATE INDEX FOR (n:X) ON (n.p)",
    "DROP INDEX ON :NicipCode(code)",
    "CREATE CONSTRAINT c IF NOT EXISTS FOR (n:X) REQUIRE n.p IS UNIQUE",
    "CALL db.idx.fulltext.createNodeIndex('NicipCode', 'description')",
    "CALL db.idx.fulltext.drop('NicipCode')",
    "LOAD CSV WITH HEADERS FROM 'file:///etc/passwd' AS row CREATE (:X {r: row})",
    "LOAD CSV FROM 'file://../../../../etc/passwd' AS row RETURN row",
]


@pytest.fixture
def loaded(store):
    load([SAMPLE], store)
    return store


@pytest.mark.parametrize("text", WRITES)
def test_console_cannot_write(loaded, text):
    before = queries.counts(loaded)
    with pytest.raises((ReadOnlyViolation, QueryError)):
        loaded.read(text, timeout_s=5, row_limit=10)
    assert queries.counts(loaded) == before
    assert loaded.read("MATCH (n:X) RETURN count(n)").rows == [[0]]
    assert loaded.read("MATCH (n:NicipCode {code: 'Q'}) RETURN count(n)").rows == [[0]]


#: Read-only mode lets LOAD CSV fetch a URL; the console refuses a plan that loads CSV.
OUTSIDE = [
    "LOAD CSV FROM 'https://example.com/codes.csv' AS row RETURN row",
    "load csv with headers from $url as row return row",
    "/* list */ MATCH (n:NicipCode) WITH n LIMIT 1 LOAD CSV FROM 'http://10.0.0.1/' AS r RETURN r",
    "UNWIND ['https://example.com/a'] AS u LOAD CSV FROM u AS r RETURN count(r)",
]


@pytest.mark.parametrize("text", OUTSIDE + WRITES)
def test_console_cannot_reach_outside_or_write(loaded, text):
    before = queries.counts(loaded)
    with pytest.raises((ReadOnlyViolation, QueryError)) as caught:
        queries.ad_hoc(
            loaded, text, {"url": "https://example.com/x.csv"}, timeout_s=5, row_limit=10
        )
    if text in OUTSIDE:
        assert isinstance(caught.value, ReadOnlyViolation)
        assert "LOAD CSV" in str(caught.value)
    assert queries.counts(loaded) == before


def test_console_runs_reads(loaded):
    result = queries.ad_hoc(
        loaded,
        "MATCH (n:NicipCode {code: $c}) RETURN n.code",
        {"c": "XWRIB"},
        timeout_s=5,
        row_limit=10,
    )
    assert result.rows == [["XWRIB"]]


def test_long_query_stops_at_its_time_limit(loaded):
    from loader.errors import QueryLimitExceeded

    start = time.monotonic()
    with pytest.raises(QueryLimitExceeded):
        loaded.read("MATCH (a), (b), (c), (d) RETURN count(*)", timeout_s=0.5)
    assert time.monotonic() - start < 5


def _graphs(db):
    from loader.stores.embedded import EmbeddedStore

    s = EmbeddedStore(db)
    try:
        return queries.counts(s), list(s._redis.execute_command("GRAPH.LIST"))
    finally:
        s.close()


@pytest.mark.parametrize("victim", ["loader", "loader and server"])
def test_load_killed_part_way_leaves_previous_release(tmp_path, victim):
    """A real `nicip load` is SIGKILLed while it writes; the previous graph survives whole."""
    if not (REAL_DATA / "nicip_snomed_map.csv").is_file():
        pytest.skip(f"needs a release big enough to kill part way: {REAL_DATA} not found")
    from loader.stores.embedded import EmbeddedStore

    db = tmp_path / "graph.db"
    s = EmbeddedStore(db)
    load([SAMPLE], s)
    before = queries.counts(s)
    server = s.server_pid()
    s.close()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "loader",
            "--db",
            str(db),
            "load",
            str(REAL_DATA / "nicip_snomed_map.csv"),
            str(REAL_DATA / "opcs4_codes_ukbiobank_coding240.csv"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Wait until its staging graph exists (the load is writing), then kill it.
    import redis

    deadline = time.monotonic() + 60
    sock = None
    while time.monotonic() < deadline and sock is None:
        registry = db.with_name(db.name + ".settings")
        if registry.exists():
            import json

            sock = json.loads(registry.read_text()).get("unixsocket")
        time.sleep(0.02)
    assert sock, "the load never started its server"
    client = redis.Redis(unix_socket_path=sock)
    while time.monotonic() < deadline:
        try:
            if len(client.execute_command("GRAPH.LIST")) >= 2:
                break
        except redis.RedisError:
            pass
        time.sleep(0.005)
    else:
        pytest.fail("the load never started writing")
    server = client.info("server")["process_id"]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if victim == "loader and server":
        os.kill(server, signal.SIGKILL)
    client.close()
    counts, graphs = _graphs(db)
    assert counts == before  # the sample release, whole
    assert len(graphs) == 1  # the abandoned staging graph is gone


def test_transient_neo4j_errors_are_retried_then_reported(monkeypatch):
    import neo4j

    from loader.stores.base import Step, WritePlan
    from loader.stores.neo4j import Neo4jStore

    store = Neo4jStore.__new__(Neo4jStore)
    store._neo4j = neo4j
    store.uri = "bolt://example.invalid:7687"
    calls = []

    class Session:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def run(self, text):
            class R:
                def consume(self):
                    return None

            return R()

    monkeypatch.setattr(store, "_session", lambda write: Session())
    monkeypatch.setattr("time.sleep", lambda s: None)

    def flaky(plan, progress):
        calls.append(1)
        if len(calls) < 3:
            raise neo4j.exceptions.TransientError("deadlock")

    monkeypatch.setattr(store, "_apply_once", flaky)
    plan = WritePlan([], [Step("x", "RETURN 1", None)])
    store.apply(plan)
    assert len(calls) == 3  # two passing errors retried, then it landed

    calls.clear()
    monkeypatch.setattr(
        store,
        "_apply_once",
        lambda p, g: (_ for _ in ()).throw(neo4j.exceptions.TransientError("still failing")),
    )
    with pytest.raises(StoreError, match="failed 3 times .* nothing was changed"):
        store.apply(plan)


def test_password_is_never_shown(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from loader.cli import cli
    from loader.settings import Settings

    secret = "s3cret-Pa55word"
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")
    monkeypatch.setenv("NEO4J_PASSWORD", secret)
    assert secret not in repr(Settings.resolve())
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1 and "Error: cannot reach Neo4j" in result.output
    assert secret not in result.output
    pw = tmp_path / "pw"
    pw.write_text(secret + "\n")
    monkeypatch.delenv("NEO4J_PASSWORD")
    monkeypatch.setenv("NEO4J_PASSWORD_FILE", str(pw))
    assert Settings.resolve().neo4j_password == secret
    toml = tmp_path / "nicip.toml"
    toml.write_text(f'neo4j_password = "{secret}"\n')
    from loader.errors import SettingsError

    with pytest.raises(SettingsError) as err:
        Settings.resolve(config_file=toml)
    assert secret not in str(err.value)


def test_compose_file_has_no_default_password():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "NEO4J_PASSWORD:?" in text and "neo4j/neo4j" not in text


class _FakeTx:
    """A Neo4j transaction that fails with ``error`` on run number ``fail_at``."""

    def __init__(self, log, error, fail_at):
        self.log, self.error, self.fail_at = log, error, fail_at

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if "commit" not in self.log[-1:]:
            self.log.append("rollback")  # what the driver does with an open transaction
        return False

    def run(self, text, params=None):
        self.log.append("run")
        if self.log.count("run") == self.fail_at:
            raise self.error

        class R:
            def consume(self):
                return None

        return R()

    def commit(self):
        self.log.append("commit")


def _fake_store(monkeypatch, error, fail_at):
    import neo4j

    from loader.stores.neo4j import Neo4jStore

    store = Neo4jStore.__new__(Neo4jStore)
    store._neo4j = neo4j
    store.uri = "bolt://example.invalid:7687"
    store.batch_size = 2
    log: list[str] = []

    class Session:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def begin_transaction(self):
            return _FakeTx(log, error, fail_at)

    monkeypatch.setattr(store, "_session", lambda write: Session())
    monkeypatch.setattr("time.sleep", lambda s: None)
    return store, log


def _plan():
    from loader.stores.base import Step, WritePlan

    rows = [{"code": c} for c in ("XWRIB", "XWRIL", "XWRIR", "CFOOB")]
    return WritePlan([], [Step("codes", "UNWIND $rows AS r MERGE (:N {code: r.code})", rows)])


def test_transient_error_mid_load_rolls_back_and_retries_the_whole_load(monkeypatch):
    import neo4j

    store, log = _fake_store(monkeypatch, neo4j.exceptions.TransientError("deadlock"), 2)
    store.apply(_plan())
    # batch 1 ran, batch 2 failed: rolled back; then both batches again and one commit.
    assert log == ["run", "run", "rollback", "run", "run", "commit"]


def test_refused_write_mid_load_is_not_retried_and_rolls_back(monkeypatch):
    import neo4j

    error = neo4j.exceptions.ClientError("Neo.ClientError.Schema.ConstraintValidationFailed")
    store, log = _fake_store(monkeypatch, error, 2)
    with pytest.raises(StoreError, match="Neo4j refused the load and nothing was changed"):
        store.apply(_plan())
    assert log == ["run", "run", "rollback"]


def test_wrong_password_is_one_clear_message(monkeypatch):
    import neo4j

    from loader.errors import StoreUnavailable
    from loader.stores.neo4j import Neo4jStore

    class Driver:
        def verify_connectivity(self):
            raise neo4j.exceptions.AuthError("The client is unauthorized due to authentication")

        def close(self):
            pass

    monkeypatch.setattr(neo4j.GraphDatabase, "driver", lambda *a, **k: Driver())
    with pytest.raises(StoreUnavailable) as caught:
        Neo4jStore("bolt://db.example:7687", "neo4j", "s3cret-Pa55word")
    assert str(caught.value) == (
        "Neo4j at bolt://db.example:7687 refused the user 'neo4j': wrong user name or password"
    )
