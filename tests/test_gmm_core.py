"""gmm_core: the shared argument checks.
"""
import numpy as np
import pytest

import gmm_core
from gmm_em import em_steps
from em_reference import GOOD_INIT, BAD_CALLS


def test_check_init_params_is_em_steps_validation():
    """The public check accepts what em_steps accepts, rejects what it rejects
    with the same message, and returns float64 copies."""
    w, m, c = GOOD_INIT
    out = gmm_core.check_init_params((list(w), m.astype(np.float32), c), 3, 2)
    assert all(a.dtype == np.float64 for a in out)
    np.testing.assert_array_equal(out[0], w)
    checked = 0
    for _, make, _ in BAD_CALLS:
        X, k, kw = make()
        if not isinstance(kw.get("init"), tuple):
            continue
        checked += 1
        with pytest.raises(ValueError) as from_em:
            em_steps(X, k, **kw)
        with pytest.raises(ValueError) as from_check:
            gmm_core.check_init_params(kw["init"], k, X.shape[1], kw.get("covariance_type", "full"))
        assert str(from_check.value) == str(from_em.value)
    assert checked == 10
    with pytest.raises(ValueError, match="covariance_type"):
        gmm_core.check_init_params(GOOD_INIT, 3, 2, "banana")
