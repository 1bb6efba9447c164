"""Bit-sliced Game of Life (kernels/simulation.pyx "Game of Life", its Numba twin,
``pc.life_step`` and ``pycompute.simulation.LifeBoard``) against the reference.

The native kernels step a packed board (64 cells a word, guard words and padding
bits around each row), so these tests aim at the places where packing can go
wrong: widths around word boundaries (1..130), one row, one column, every mode
pair, rules whose B0 births would leak into the padding bits under 'constant',
the B3/S23 fast path and the generic rule path, 1 and 2 threads, runs cut into
slices, and boards kept packed between calls.

Tolerance: none. Life is exact; every result must equal
``pycompute._reference.life_step`` bit for bit, and the two native backends must
leave bitwise-identical packed buffers.
"""
import itertools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pycompute as pc
from pycompute import _backends, _cancel, _reference
from pycompute.simulation import LifeBoard, _life_stride

NATIVE = [b.name for b in pc.backends() if b.available and b.name != "numpy"]
MODE_PAIRS = list(itertools.product(["wrap", "constant"], repeat=2))
# Conway (the fast path), HighLife, Seeds, B0 rules (every dead cell with no live
# neighbour is born: under 'constant' the cells outside must stay dead), all/none
RULES = ["B3/S23", "B36/S23", "B2/S", "B0/S8", "B0123/S0", "B012345678/S012345678",
         "B/S", "B3678/S34678", "B1357/S1357"]
SOME = settings(max_examples=30 * settings.default.max_examples
                // settings.get_profile("pycompute").max_examples, deadline=None)
# widths around the word boundaries, and in between
WIDTHS = st.one_of(st.sampled_from([1, 2, 3, 62, 63, 64, 65, 66, 127, 128, 129, 130]),
                   st.integers(1, 130))


@pytest.fixture(params=NATIVE)
def backend(request):
    return request.param


def _random_rule(birth, survive):
    return "B" + "".join(map(str, sorted(birth))) + "/S" + "".join(map(str, sorted(survive)))


def _ref(b, steps, rule, mode):
    return _reference.life_step(b, steps=steps, rule=rule, mode=mode)


# ---------------------------------------------------------------- against the reference

@SOME
@given(n0=st.one_of(st.just(1), st.integers(1, 20)), n1=WIDTHS, steps=st.integers(0, 5),
       rule=st.one_of(st.sampled_from(RULES),
                      st.builds(_random_rule, st.sets(st.integers(0, 8)),
                                st.sets(st.integers(0, 8)))),
       modes=st.sampled_from(MODE_PAIRS), density=st.sampled_from([0.1, 0.4, 0.9]),
       dtype=st.sampled_from([np.bool_, np.uint8]), seed=st.integers(0, 2**31))
def test_random_boards_every_backend_and_thread_count(n0, n1, steps, rule, modes, density,
                                                      dtype, seed):
    b = (np.random.default_rng(seed).random((n0, n1)) < density).astype(dtype)
    ref = _ref(b, steps, rule, modes)
    for be in NATIVE:
        for nt in (1, 2):
            got = pc.life_step(b, steps=steps, rule=rule, mode=modes, backend=be,
                               num_threads=nt)
            assert got.dtype == b.dtype and got.shape == b.shape
            assert got.tobytes() == ref.tobytes(), (be, nt)


@pytest.mark.parametrize("n0", [1, 2, 5])
def test_every_width_up_to_130_at_the_word_boundaries(backend, n0):
    rng = np.random.default_rng(n0)
    for n1 in range(1, 131):
        b = rng.random((n0, n1)) < 0.45
        for rule, modes in (("B3/S23", MODE_PAIRS[n1 % 4]), ("B0/S8", MODE_PAIRS[(n1 + 1) % 4]),
                            ("B36/S23", MODE_PAIRS[(n1 + 2) % 4])):
            ref = _ref(b, 3, rule, modes)
            got = pc.life_step(b, steps=3, rule=rule, mode=modes, backend=backend,
                               num_threads=1 + n1 % 2)
            assert got.tobytes() == ref.tobytes(), (n0, n1, rule, modes)


@pytest.mark.parametrize("shape", [(1, 1), (1, 64), (1, 65), (1, 200), (64, 1), (130, 1),
                                   (3, 3), (2, 129), (65, 2)])
@pytest.mark.parametrize("rule", RULES)
def test_thin_and_tiny_boards_every_mode_pair(backend, shape, rule):
    b = np.random.default_rng(shape[0] * 1000 + shape[1]).random(shape) < 0.5
    for modes in MODE_PAIRS:
        for steps in (1, 4):
            ref = _ref(b, steps, rule, modes)
            got = pc.life_step(b, steps=steps, rule=rule, mode=modes, backend=backend)
            assert got.tobytes() == ref.tobytes(), (modes, steps)


@pytest.mark.parametrize("rule", ["B3/S23", "B36/S23", "B2/S", "B0/S8"])
def test_many_steps_on_a_larger_board_one_and_two_threads(backend, rule):
    b = np.random.default_rng(7).random((97, 300)) < 0.35
    for modes in (("wrap", "wrap"), ("constant", "wrap"), ("wrap", "constant")):
        ref = _ref(b, 37, rule, modes)
        one = pc.life_step(b, steps=37, rule=rule, mode=modes, backend=backend, num_threads=1)
        two = pc.life_step(b, steps=37, rule=rule, mode=modes, backend=backend, num_threads=2)
        assert one.tobytes() == ref.tobytes() and two.tobytes() == ref.tobytes(), modes


def test_b0_under_constant_keeps_the_outside_dead():
    # B0/S8 on an all-dead board, worked by hand: generation 1 every cell has 0 live
    # neighbours, so all are born; generation 2 only cells with 8 live neighbours
    # survive: the interior under 'constant' (the outside is dead), every cell
    # under 'wrap'. Width 70 puts the right border inside a word (padding bits).
    n0, n1 = 6, 70
    dead = np.zeros((n0, n1), bool)
    interior = np.zeros((n0, n1), bool)
    interior[1:-1, 1:-1] = True
    for be in NATIVE:
        assert pc.life_step(dead, rule="B0/S8", mode="constant", backend=be).all()
        two = pc.life_step(dead, steps=2, rule="B0/S8", mode="constant", backend=be)
        np.testing.assert_array_equal(two, interior)
        assert pc.life_step(dead, steps=2, rule="B0/S8", mode="wrap", backend=be).all()
        # rows dead outside, columns wrapped: the top and bottom rows die
        rows = pc.life_step(dead, steps=2, rule="B0/S8", mode=("constant", "wrap"), backend=be)
        np.testing.assert_array_equal(rows, np.repeat([[0], [1], [1], [1], [1], [0]], n1, 1))


def test_conway_fast_path_and_generic_path_agree_with_known_patterns(backend):
    # B3/S23 runs a dedicated 2-operation rule; "B3/S23" with a redundant spelling
    # reaches it too, and B3/S23 plus a birth at 8 (unreachable here: no cell has
    # 8 live neighbours in a sparse glider field) runs the generic path
    glider = np.zeros((20, 100), bool)
    for i, j in [(0, 1), (1, 2), (2, 0), (2, 1), (2, 2)]:
        glider[i, j + 60] = True
    expect = np.roll(glider, (5, 5), axis=(0, 1))  # 20 generations: 5 cells diagonally
    for rule in ("B3/S23", "b3/s32", "B38/S23"):
        got = pc.life_step(glider, steps=20, rule=rule, backend=backend)
        np.testing.assert_array_equal(got, expect, err_msg=rule)


def test_inputs_of_any_layout_and_read_only(backend):
    rng = np.random.default_rng(11)
    base = rng.random((40, 150)) < 0.4
    ro = base.copy()
    ro.flags.writeable = False
    for b in (base[::2, ::3], base[::-1, ::-1], base.T, ro, base.astype(np.uint8)[:, 5:140]):
        ref = _ref(np.ascontiguousarray(b), 6, "B36/S23", "wrap")
        np.testing.assert_array_equal(pc.life_step(b, steps=6, rule="B36/S23", backend=backend),
                                      ref)


# ---------------------------------------------------------------- the kernels and the twins

def test_pack_unpack_round_trip_and_twins_leave_identical_packed_buffers():
    rng = np.random.default_rng(2)
    kerns = [_backends.kernels(name, "simulation") for name in NATIVE]
    for n0, n1 in [(1, 1), (3, 63), (4, 64), (5, 65), (2, 130), (7, 200)]:
        b = (rng.random((n0, n1)) < 0.5).view(np.uint8).reshape(-1)
        S = _life_stride(n1)
        for m0, m1 in [(3, 3), (4, 4), (3, 4), (4, 3)]:
            bufs = []
            for k in kerns:
                a = np.full((n0 + 1) * S, 0xDEAD, np.uint64)  # garbage: the kernels set every word
                t = np.full((n0 + 1) * S, 0xBEEF, np.uint64)
                k.life_pack(b, a, n0, n1, S, m1, 1)
                back = np.empty_like(b)
                k.life_unpack(a, back, n0, n1, S, 1)
                assert back.tobytes() == b.tobytes()
                k.life_bits(a, t, np.zeros(2, np.int64), n0, n1, S, 5, 0b000001100_000001000,
                            m0, m1, 2)
                bufs.append((a[:n0 * S].copy(), t[:n0 * S].copy()))
            for other in bufs[1:]:
                assert other[0].tobytes() == bufs[0][0].tobytes()
                assert other[1].tobytes() == bufs[0][1].tobytes()


# ---------------------------------------------------------------- slices, stops

@pytest.mark.parametrize("schedule", [[1], [3, 1, 2], [2]])
def test_a_run_cut_into_slices_equals_the_uncut_run(backend, schedule, monkeypatch):
    b = np.random.default_rng(4).random((33, 77)) < 0.4
    ref = _ref(b, 11, "B36/S23", ("wrap", "constant"))

    def cut(total, work, run):
        first, i = 0, 0
        while first < total:
            c = min(schedule[min(i, len(schedule) - 1)], total - first)
            run(first, c)
            first, i = first + c, i + 1

    monkeypatch.setattr(_cancel, "run_sliced", cut)
    for nt in (1, 2):
        got = pc.life_step(b, steps=11, rule="B36/S23", mode=("wrap", "constant"),
                           backend=backend, num_threads=nt)
        assert got.tobytes() == ref.tobytes()
        lb = LifeBoard(b, rule="B36/S23", mode=("wrap", "constant"), backend=backend,
                       num_threads=nt)
        assert lb.step(11).to_array().tobytes() == ref.tobytes()


def test_a_stopped_run_leaves_the_generation_reached_in_out(backend, monkeypatch):
    b = np.random.default_rng(8).random((20, 90)) < 0.4

    def two_slices_then_stop(total, work, run):
        run(0, 3)
        run(3, 2)
        raise KeyboardInterrupt

    monkeypatch.setattr(_cancel, "run_sliced", two_slices_then_stop)
    out = np.zeros_like(b)
    with pytest.raises(KeyboardInterrupt):
        pc.life_step(b, steps=50, out=out, backend=backend)
    np.testing.assert_array_equal(out, _ref(b, 5, "B3/S23", "wrap"))
    lb = LifeBoard(b, backend=backend)
    with pytest.raises(KeyboardInterrupt):
        lb.step(50)
    assert lb.generation == 5
    np.testing.assert_array_equal(lb.to_array(), _ref(b, 5, "B3/S23", "wrap"))


# ---------------------------------------------------------------- LifeBoard

@pytest.mark.parametrize("be", NATIVE + ["numpy"])
def test_lifeboard_steps_equal_life_step_however_they_are_split(be):
    rng = np.random.default_rng(9)
    for shape, rule, mode in [((50, 130), "B3/S23", "wrap"), ((17, 64), "B36/S23", "constant"),
                              ((1, 70), "B0/S8", ("wrap", "constant")), ((9, 1), "B2/S", "wrap")]:
        b = (rng.random(shape) < 0.4).astype(np.uint8)
        lb = LifeBoard(b, rule=rule, mode=mode, backend=be)
        b[...] = 0  # the board was copied
        b0 = lb.to_array()
        done = 0
        for n in (1, 1, 0, 3, 1, 7, 2):
            assert lb.step(n) is lb
            done += n
            assert lb.generation == done
            got = lb.to_array()
            assert got.dtype == np.uint8 and got.shape == shape
            assert got.tobytes() == _ref(b0, done, rule, mode).tobytes(), (shape, done)
        out = np.empty(shape, np.uint8)
        assert lb.to_array(out=out) is out
        np.testing.assert_array_equal(out, got)
        np.testing.assert_array_equal(np.asarray(lb), got)


def test_lifeboard_threads_and_bool_dtype(backend):
    b = np.random.default_rng(12).random((70, 200)) < 0.3
    one = LifeBoard(b, backend=backend, num_threads=1).step(9).to_array()
    two = LifeBoard(b, backend=backend).step(9, num_threads=2).to_array()
    assert one.dtype == np.bool_ and one.tobytes() == two.tobytes()
    assert one.tobytes() == _ref(b, 9, "B3/S23", "wrap").tobytes()


def test_lifeboard_empty_and_repr(backend):
    lb = LifeBoard(np.zeros((0, 5), bool), backend=backend)
    assert lb.step(3).to_array().shape == (0, 5)
    assert "generation=3" in repr(lb) and "shape=(0, 5)" in repr(lb)


def test_lifeboard_bad_input_is_refused_like_life_step():
    with pytest.raises(TypeError, match="`board` must have dtype bool or uint8, got float64"):
        LifeBoard(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"`board` must have 2 dimensions, got shape \(3,\)"):
        LifeBoard(np.zeros(3, bool))
    with pytest.raises(ValueError, match="`board` of dtype uint8 must hold only 0 and 1, found 2"):
        LifeBoard(np.full((3, 3), 2, np.uint8))
    with pytest.raises(ValueError, match="`rule`='B9/S' is not a life-like rule"):
        LifeBoard(np.zeros((3, 3), bool), rule="B9/S")
    with pytest.raises(ValueError, match="`mode`='reflect' is not one of 'wrap', 'constant'"):
        LifeBoard(np.zeros((3, 3), bool), mode="reflect")
    with pytest.raises(ValueError, match="backend"):
        LifeBoard(np.zeros((3, 3), bool), backend="fortran")
    lb = LifeBoard(np.zeros((3, 3), bool))
    with pytest.raises(ValueError, match="`steps`"):
        lb.step(-1)
    with pytest.raises(TypeError, match="`steps`"):
        lb.step(1.5)
    with pytest.raises(ValueError, match="num_threads"):
        lb.step(1, num_threads=0)
    with pytest.raises(ValueError):
        lb.to_array(out=np.zeros((3, 4), bool))
    assert lb.generation == 0


# ---------------------------------------------------------------- the word loops vectorize

@pytest.mark.parametrize("name", ["_life_hrow", "_life_row_conway", "_life_row_any"])
def test_numba_word_loops_are_vector_code(name):
    # LLVM IR of each word loop, compiled uncached (cached code cannot be inspected):
    # the boolean operations must act on <N x i64> vectors, whatever the CPU's width
    import numba
    from numba import types

    from pycompute._numba import simulation as nbsim

    u64, arr = types.uint64, types.Array(types.uint64, 1, "C")
    sigs = {"_life_hrow": (arr, u64, arr, u64, u64),
            "_life_row_conway": (arr, u64, u64, arr, u64, u64, u64, arr, u64, u64),
            "_life_row_any": (arr, u64, u64, arr, u64, u64, u64, arr, u64, u64, arr)}
    fresh = numba.njit(nogil=True)(getattr(nbsim, name).py_func)
    fresh.compile(sigs[name])
    ir = fresh.inspect_llvm(sigs[name])
    vec_ops = re.findall(r"= (?:xor|and|or|shl|lshr) <(\d+) x i64>", ir)
    assert len(vec_ops) >= 6 and min(int(n) for n in vec_ops) >= 2, \
        f"{name}: the word loop fell back to scalar code"
