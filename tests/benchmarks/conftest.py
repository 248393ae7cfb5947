import pytest
import torch


@pytest.fixture(scope="session")
def itas_cache(tmp_path_factory):
    """$ITAS_CACHE in a session tmp folder, so procedural datasets never come from a user's cache
    (and are generated once for every test that asks for the same parameters)."""
    folder = tmp_path_factory.mktemp("itas_cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ITAS_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def one_thread():
    """Tiny models run on one torch thread: on a busy 2-core machine the two OpenMP workers of a
    small conv wait on each other (measured 100x slower); results are identical either way."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
