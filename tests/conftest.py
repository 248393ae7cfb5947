import pytest
import torch


@pytest.fixture(scope="session", autouse=True)
def one_thread():
    """Every test runs torch on one thread: the suite's models are tiny, and two OpenMP workers of a
    small conv spend more time synchronising than computing (measured 1.6x slower on an idle
    2-core machine, up to 100x on a busy one). Results are identical either way."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
