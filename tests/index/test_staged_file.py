"""A staged write replaces its target whole, or leaves it and nothing else behind."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.staged_file import staged_file


def test_the_new_content_replaces_the_target_when_the_block_ends(tmp_path) -> None:
    target = tmp_path / "terms.json"
    target.write_text("old", "utf-8")
    with staged_file(target) as tmp:
        tmp.write_text("new", "utf-8")
        assert target.read_text("utf-8") == "old"  # readers see the old file until the end
    assert target.read_text("utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["terms.json"]


def test_a_failed_write_keeps_the_target_and_removes_the_temporary_file(tmp_path) -> None:
    target = tmp_path / "vectors.npy"
    np.save(target, np.zeros(3))
    with pytest.raises(OSError, match="No space left"), staged_file(target) as tmp:
        np.save(tmp, np.ones(3))
        raise OSError(28, "No space left on device")
    assert np.load(target).tolist() == [0.0, 0.0, 0.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.npy"]


def test_numpy_writes_the_staged_path_itself(tmp_path) -> None:
    """``np.save`` appends .npy to a name without it: the temporary name keeps the suffix."""
    target = tmp_path / "vectors.npy"
    with staged_file(target) as tmp:
        np.save(tmp, np.arange(4))
    assert np.load(target).tolist() == [0, 1, 2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.npy"]
