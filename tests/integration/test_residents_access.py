"""The residents index under the access layer, on a real application database: agreements
decide what can be registered and loaded, role and organisation decide who sees what, every
look-up of a person is audited with its purpose and agreements."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests import residents_support as rs
from tests.access_support import CAMBRIDGE, SOUTH_CAMBS
from wholeplace.access import agreements, audit, memberships, organisations, users
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.errors import InputError, NotFoundError, PermissionDeniedError
from wholeplace.residents import demo
from wholeplace.residents.access import audit_lookup, permitted, refresher, register_source
from wholeplace.residents.link import LinkConfig, run_link
from wholeplace.residents.privacy import load_key
from wholeplace.residents.views import lookup, resident
from wholeplace.residents.workspace import open_workspace

pytestmark = pytest.mark.xdist_group("residents-access")


def test_the_residents_roles_exist_on_both_databases(app_engine):
    with session_factory(app_engine)() as s, s.begin():
        organisations.add(s, "cp-icb", "Care board", "icb", [])
        user = users.add(s, "case@example.org", "Case", "correct horse battery staple")
        for role in ("caseworker", "linkage_reviewer"):
            assert memberships.grant(s, user, organisations.get(s, "cp-icb"), role)
        assert memberships.roles_of(user)["cp-icb"] == {"caseworker", "linkage_reviewer"}
        org_id, user_id = organisations.get(s, "cp-icb").id, user.id
    with pytest.raises(sa.exc.IntegrityError), app_engine.begin() as c:
        c.execute(sa.text("INSERT INTO memberships (user_id, organisation_id, role, granted_at) "
                          "VALUES (:u, :o, 'superuser', CURRENT_TIMESTAMP)"),
                  {"u": user_id, "o": org_id})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("residents-access")
    engine = make_engine(f"sqlite:///{folder / 'app.sqlite'}")
    upgrade(engine)
    ids = rs.seeded_engine(engine)
    workspace, keys = rs.build_index(engine, folder, ids["icb"])
    yield engine, ids, workspace, keys, folder
    engine.dispose()


def _extract(folder, system="council_tax"):
    return folder / "extracts" / f"SYNTHETIC-{system}.csv"


def _register(engine, ws_path, folder, agreement_id, email="dpo@cambridge.example",
              org=CAMBRIDGE, system="council_tax"):
    with session_factory(engine)() as s, s.begin(), open_workspace(ws_path) as ws:
        return register_source(s, ws, rs.actor(engine, email, org), _extract(folder, system),
                               demo.synthetic_mapping(system), agreement_id, rs.PURPOSE,
                               rs.TODAY)


def test_a_source_without_an_active_agreement_is_refused_and_nothing_stored(world, tmp_path):
    engine, _ids, _ws, _keys, folder = world
    # awaiting South Cambridgeshire's DPO: not active
    pending = rs.agreement(engine, (CAMBRIDGE, SOUTH_CAMBS), ("dpo@cambridge.example",),
                           title="Pending")
    expired = rs.agreement(engine, (CAMBRIDGE, SOUTH_CAMBS), ("dpo@cambridge.example",
                           "dpo@southcambs.example"), title="Expired", end=date(2026, 2, 1))
    narrow = rs.agreement(engine, (CAMBRIDGE, SOUTH_CAMBS), ("dpo@cambridge.example",
                          "dpo@southcambs.example"), systems=("housing",), title="Narrow")
    ws_path = tmp_path / "ws.duckdb"
    for agreement_id, why in ((pending, "'awaiting_approval', not active"),
                              (expired, "'expired', not active"),
                              (narrow, "does not cover dataset:residents.prevention.council_tax"),
                              ("999", "no data-sharing agreement 999"),
                              ("DSA-1", "not an agreement number")):
        with pytest.raises((InputError, NotFoundError), match=why):
            _register(engine, ws_path, folder, agreement_id)
    with pytest.raises(PermissionDeniedError, match="data protection officer"):
        _register(engine, ws_path, folder, rs.agreement(
            engine, (CAMBRIDGE, SOUTH_CAMBS), ("dpo@cambridge.example", "dpo@southcambs.example"),
            title="Right"), email="caseworker@cambridge.example")
    with open_workspace(ws_path) as ws:
        assert ws.scalar("SELECT count(*) FROM sources") == 0


def test_a_revoked_agreement_stops_the_next_run(world, tmp_path):
    engine, _ids, _ws, keys, folder = world
    agreement_id = rs.agreement(engine, (CAMBRIDGE, SOUTH_CAMBS), ("dpo@cambridge.example",
                                "dpo@southcambs.example"), title="To revoke")
    ws_path = tmp_path / "ws.duckdb"
    assert _register(engine, ws_path, folder, agreement_id) > 0
    with session_factory(engine)() as s, s.begin():
        agreements.revoke(s, agreements.get(s, int(agreement_id)))
    with session_factory(engine)() as s, open_workspace(ws_path) as ws:
        with pytest.raises(InputError, match="'revoked', not active"):
            run_link(ws, rs.PURPOSE, load_key(keys, rs.PURPOSE), LinkConfig(), rs.TODAY,
                     refresher(s, rs.TODAY))


def test_a_caseworker_of_another_council_sees_nothing_without_an_agreement(world, tmp_path):
    engine, ids, ws_path, keys, folder = world
    record = "SYN-CT-00000001"
    key = load_key(keys, rs.PURPOSE)
    with session_factory(engine)() as s, open_workspace(ws_path) as ws:
        cam = permitted(s, ws, rs.actor(engine, "caseworker@cambridge.example", CAMBRIDGE),
                        "residents.lookup", rs.PURPOSE, rs.TODAY)
        assert set(cam.sources) == set(demo.SYSTEMS) and cam.agreements() == [ids["icb"]]
        found = lookup(ws, key, "council_tax", record, cam.sources)
        with pytest.raises(PermissionDeniedError, match="agreement between the councils"):
            permitted(s, ws, rs.actor(engine, "caseworker@southcambs.example", SOUTH_CAMBS),
                      "residents.lookup", rs.PURPOSE, rs.TODAY)
    # with an agreement between the two councils, South Cambridgeshire sees that source
    shared = tmp_path / "shared.duckdb"
    import shutil

    shutil.copy(ws_path, shared)
    _register(engine, shared, folder, ids["councils"])
    with session_factory(engine)() as s, open_workspace(shared) as ws:
        sc = permitted(s, ws, rs.actor(engine, "caseworker@southcambs.example", SOUTH_CAMBS),
                       "residents.lookup", rs.PURPOSE, rs.TODAY)
        assert list(sc.sources) == ["council_tax"]
        seen = resident(ws, found.resident_id, sc.sources)
        assert {x.source for x in seen.services} == {"council_tax"}


def test_every_look_up_is_audited_and_one_without_a_purpose_refused(world):
    engine, ids, ws_path, keys, _folder = world
    person = rs.actor(engine, "caseworker@cambridge.example", CAMBRIDGE)
    with session_factory(engine)() as s, s.begin(), open_workspace(ws_path) as ws:
        with pytest.raises(InputError, match="not a purpose name"):
            permitted(s, ws, person, "residents.lookup", "", rs.TODAY)
        allowed_to = permitted(s, ws, person, "residents.lookup", rs.PURPOSE, rs.TODAY)
        found = lookup(ws, load_key(keys, rs.PURPOSE), "council_tax", "SYN-CT-00000001",
                       allowed_to.sources)
        audit_lookup(s, person, f"resident:{found.resident_id}", allowed_to)
    with session_factory(engine)() as s:
        entry = audit.entries(s, CAMBRIDGE, 1)[0]
        assert entry.action == "residents.lookup" and entry.actor == person.id
        assert entry.detail == {"purpose": "prevention", "agreements": [ids["icb"]]}
        assert "SYN-CT" not in str(entry.target) and not audit.verify(s)
