import pytest


@pytest.fixture(scope="session")
def itas_cache(tmp_path_factory):
    """$ITAS_CACHE in a session tmp folder, so procedural datasets never come from a user's cache
    (and are generated once for every test that asks for the same parameters)."""
    folder = tmp_path_factory.mktemp("itas_cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ITAS_CACHE", str(folder))
        yield folder

