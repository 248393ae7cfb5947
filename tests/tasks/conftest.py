import pytest

from tasks.datasets import load_dataset
from tasks.procedural import GeneratorParams, generate


@pytest.fixture(scope="session")
def quick_dataset(tmp_path_factory):
    """The quick-scale procedural dataset (dim 64, 24 videos per activity), read back through the
    MS-TCN reader."""
    root = generate(tmp_path_factory.mktemp("procedural") / "quick", GeneratorParams())
    return load_dataset(root, "breakfast")
