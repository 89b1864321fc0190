"""The Viewer: who reads the hub, normalised and with a stable cache key."""

from __future__ import annotations

import pytest

from wholeplace.errors import InputError
from wholeplace.hub import schema
from wholeplace.hub.visibility import Viewer, normalise_org_code


def test_the_public_viewer_sees_no_private_data():
    public = Viewer.public()
    assert public.is_public and public.cache_key == ((), ())
    assert public == Viewer() and hash(public) == hash(Viewer())


def test_org_codes_are_normalised_and_the_key_is_stable():
    a = Viewer(frozenset({"e07000008", "icb-cpics"}), frozenset({3, 1}))
    b = Viewer(frozenset({"icb-cpics", "E07000008"}), frozenset({1, 3}))
    assert a == b and a.cache_key == b.cache_key == (("E07000008", "icb-cpics"), (1, 3))
    assert not a.is_public
    assert Viewer.for_org("E07000008").org_codes == frozenset({"E07000008"})
    assert not Viewer(shared_dataset_ids=frozenset({5})).is_public


@pytest.mark.parametrize("bad", ["", " ", "E07'; DROP TABLE datasets; --", "a b", "x" * 65,
                                 "-leading"])
def test_a_malformed_org_code_is_refused(bad):
    with pytest.raises(InputError, match="not an organisation code"):
        normalise_org_code(bad)


def test_every_reader_view_is_scoped_and_built_on_visible_datasets():
    public = schema.VIEWS
    scoped = schema.scoped_view_statements()
    assert list(public) == ["visible_datasets", "visible_observations", "current_observations",
                            "visible_indicators"]
    assert "visibility = 'public'" in public["visible_datasets"]
    assert len(scoped) == len(public) and all("TEMP VIEW" in s for s in scoped)
    assert "temp.viewer_datasets" in scoped[0]
    for ddl in list(public.values())[1:]:
        assert "visible_datasets" in ddl
