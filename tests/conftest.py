import pytest
import torch


@pytest.fixture(scope="module")
def one_thread():
    """Tiny models run on one torch thread: on a busy 2-core machine the two OpenMP workers of a
    small conv wait on each other (measured 100x slower); results are identical either way."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
