from pathlib import Path

import pytest

from wholeplace.errors import SourceError
from wholeplace.hub import registry as reg
from wholeplace.hub.loaders import LOADERS


def test_registry_is_valid_and_ordered_register_first():
    specs = list(reg.registry().values())
    assert specs[0].id == "la_register"
    assert all(s.loader in LOADERS for s in specs)
    assert len({s.path for s in specs}) == len(specs)


def test_every_registered_file_matches_its_size_and_hash(sources_dir):
    for spec in reg.registry().values():
        assert reg.locate(spec, sources_dir).is_file()


def test_changed_file_is_refused_with_a_clear_message(tmp_path, sources_dir):
    spec = reg.get_spec("la_register")
    copy = tmp_path / spec.path
    data = (sources_dir / spec.path).read_bytes()
    copy.write_bytes(data[:-1] + b"X")  # same size, different content
    with pytest.raises(SourceError, match="SHA-256"):
        reg.locate(spec, tmp_path)
    copy.write_bytes(data + b"\n")
    with pytest.raises(SourceError, match="bytes but the registry records"):
        reg.locate(spec, tmp_path)


def test_missing_file_says_where_to_get_it(tmp_path):
    with pytest.raises(SourceError, match="is missing"):
        reg.locate(reg.get_spec("rs_2017_18"), tmp_path)


def test_fetch_without_an_official_url_explains(tmp_path):
    spec = reg.get_spec("la_register")
    if spec.url is None:
        with pytest.raises(SourceError, match="no known official download URL"):
            reg.fetch(spec, tmp_path)


def test_unknown_source_id():
    with pytest.raises(SourceError, match="no registered source"):
        reg.get_spec("nope")


def test_spec_for_file_finds_by_content(sources_dir):
    assert reg.spec_for_file(sources_dir / "la_register.csv").id == "la_register"
    assert reg.spec_for_file(Path(__file__)) is None


def test_another_known_copy_of_a_release_is_accepted_and_says_which_it_is(tmp_path, sources_dir):
    """A release published in two byte-versions (the bundle's re-saved file and the publisher's
    original) is accepted in either form, and the provenance records the one read."""
    from wholeplace.hub.load import source_info

    spec = reg.get_spec("la_register")
    other = tmp_path / spec.path
    other.write_bytes((sources_dir / spec.path).read_bytes() + b"\n")
    alt = reg.KnownCopy(sha256=reg.sha256_of(other), size=other.stat().st_size,
                        description="publisher's original (illustrative test copy)")
    both = spec.model_copy(update={"other_copies": (alt,), "resaved": True})
    path, copy = reg.locate_copy(both, tmp_path)
    assert path == other and copy == alt
    info = source_info(both, path, copy)
    assert info.sha256 == alt.sha256 and info.size == alt.size
    assert "Read from the publisher's original" in (info.notes or "")
    assert reg.verify(both, sources_dir / spec.path).description.startswith("re-saved copy")
    with pytest.raises(SourceError):
        reg.locate(spec, tmp_path)  # the plain spec knows only the bundle's bytes
