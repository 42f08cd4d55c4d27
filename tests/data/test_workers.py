"""DataLoader worker processes: order, seeding, errors, dead workers, timeout, clean-up."""
import gc
import multiprocessing as mp
import os
import time

import numpy as np
import pytest

import corelib
from corelib.utils.data import DataLoader, _utils
from corelib.utils.data._utils import shared_memory as shm

import corelib_data_testutils as U


def _as_np(batch):
    return [b.numpy().copy() if hasattr(b, "numpy") else b for b in batch]


def _no_children(timeout=5.0):
    deadline = time.monotonic() + timeout
    while mp.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return mp.active_children() == []


def _fds():
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def _shm_files():
    return [f for f in os.listdir("/dev/shm") if f.startswith(f"corelib_dl_{os.getpid()}_")] \
        if os.path.isdir("/dev/shm") else []


def test_two_workers_same_batches_as_zero():
    ds = U.RangeDataset(87)
    ref = [_as_np(b) for b in DataLoader(ds, batch_size=8)]
    got = [_as_np(b) for b in DataLoader(ds, batch_size=8, num_workers=2)]
    assert len(ref) == len(got) == 11
    for r, g in zip(ref, got):
        np.testing.assert_array_equal(r[0], g[0])
        np.testing.assert_array_equal(r[1], g[1])
    assert _no_children()


def test_shuffle_with_workers_matches_single_process_for_same_seed():
    ds = U.RangeDataset(40)
    corelib.manual_seed(3)
    ref = [b[1].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True)]
    corelib.manual_seed(3)
    got = [b[1].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, num_workers=2)]
    assert ref == got
    assert sorted(sum(ref, [])) == list(range(40))


def test_worker_seeding_differs_across_workers_and_repeats():
    def run():
        corelib.manual_seed(123)
        return [tuple(x.tolist() if hasattr(x, "tolist") else x for x in b)
                for b in DataLoader(U.RandomDataset(), batch_size=2, num_workers=2)]

    a, b = run(), run()
    assert a == b                            # same seed -> same random streams
    w0 = [x for batch in a for x in zip(*batch) if x[3] == 0]
    w1 = [x for batch in a for x in zip(*batch) if x[3] == 1]
    assert w0 and w1
    for k in range(3):                       # corelib RNG, numpy, random all differ per worker
        assert w0[0][k] != w1[0][k]
    corelib.manual_seed(124)
    c = [tuple(x.tolist() for x in b[:3]) for b in DataLoader(U.RandomDataset(), batch_size=2, num_workers=2)]
    assert c != [tuple(x[:3]) for x in a]


def test_worker_info_and_init_fn():
    out = [b.tolist() for b in DataLoader(U.InitCheckDataset(), batch_size=2, num_workers=2,
                                          worker_init_fn=U.record_init)]
    assert out == [[0, 0], [1, 1]]
    assert corelib.utils.data.get_worker_info() is None


def test_worker_exception_is_reraised_with_traceback():
    loader = DataLoader(U.RaisingDataset(), batch_size=2, num_workers=2)
    t0 = time.monotonic()
    with pytest.raises(ValueError) as info:
        for _ in loader:
            pass
    assert time.monotonic() - t0 < 10
    msg = str(info.value)
    assert "Caught ValueError in DataLoader worker process" in msg
    assert "bad sample 7" in msg and "Traceback" in msg and "__getitem__" in msg
    del info
    gc.collect()
    assert _no_children()


def test_worker_keyerror_and_init_fn_error():
    with pytest.raises(KeyError, match="missing key"):
        list(DataLoader(U.KeyErrorDataset(), batch_size=2, num_workers=1))
    with pytest.raises(RuntimeError, match="init failed"):
        list(DataLoader(U.RangeDataset(4), num_workers=1, worker_init_fn=U.bad_init))
    gc.collect()
    assert _no_children()


def test_killed_worker_is_detected():
    loader = DataLoader(U.KillDataset(), batch_size=2, num_workers=2)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+.*\) exited unexpectedly"):
        for _ in loader:
            pass
    assert time.monotonic() - t0 < 10
    gc.collect()
    assert _no_children()


def test_timeout():
    loader = DataLoader(U.SlowDataset(30.0), batch_size=1, num_workers=1, timeout=0.5)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        next(iter(loader))
    assert time.monotonic() - t0 < 8
    gc.collect()
    assert _no_children()


def test_break_and_gc_leave_nothing_behind():
    gc.collect()
    fds0 = _fds()
    loader = DataLoader(U.BigDataset(), batch_size=4, num_workers=2)
    for i, batch in enumerate(loader):
        if i == 0:
            first = batch
            break
    del batch
    gc.collect()
    assert _no_children()
    assert _shm_files() == []
    np.testing.assert_array_equal(first.numpy()[:, 0, 0], [0, 1, 2, 3])
    del first
    for _ in range(2):  # full epochs
        assert len(list(loader)) == 3
    gc.collect()
    assert _no_children()
    assert _shm_files() == []
    assert _fds() <= fds0 + 2  # small slack for lazily opened library files


def test_large_batches_use_shared_memory(monkeypatch):
    seen = []
    orig = shm._open_shm

    def spy(h):
        seen.append(h.path)
        return orig(h)

    monkeypatch.setattr(shm, "_open_shm", spy)
    batches = list(DataLoader(U.BigDataset(), batch_size=4, num_workers=2))
    if shm._SHM_DIR is None:
        pytest.skip("no /dev/shm on this platform")
    assert len(seen) == 3
    assert all(not os.path.exists(p) for p in seen)      # unlinked once mapped
    for k, b in enumerate(batches):
        assert b.shape == (4, 128, 128)
        np.testing.assert_array_equal(b.numpy()[:, 5, 7], np.arange(4 * k, 4 * k + 4))
    b = batches[0].numpy()
    b[0, 0, 0] = 42.0                                    # writable, private to this process
    assert batches[0].numpy()[0, 0, 0] == 42.0
    del batches, b
    gc.collect()


def test_persistent_workers_keep_processes():
    loader = DataLoader(U.PidDataset(), batch_size=2, num_workers=2, persistent_workers=True)
    pids1 = set(sum((b.tolist() for b in loader), []))
    pids2 = set(sum((b.tolist() for b in loader), []))
    assert pids1 == pids2 and len(pids1) == 2 and os.getpid() not in pids1
    # interrupted epoch, then a full one
    it = iter(loader)
    next(it)
    assert len(list(loader)) == 4
    del loader, it
    gc.collect()
    assert _no_children()


def test_iterable_dataset_with_workers():
    ds = U.SplitIterable(0, 20)
    got = sorted(sum((b.tolist() for b in DataLoader(ds, batch_size=3, num_workers=2)), []))
    assert got == list(range(20))
    ref = [b.tolist() for b in DataLoader(ds, batch_size=3)]
    assert sum(ref, []) == list(range(20))
    assert _no_children()


@pytest.mark.parametrize("method", [m for m in ("fork", "spawn") if m in mp.get_all_start_methods()])
def test_start_methods(method):
    ds = U.RangeDataset(10)
    got = [b[1].tolist() for b in DataLoader(ds, batch_size=4, num_workers=2,
                                             multiprocessing_context=method)]
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    gc.collect()
    assert _no_children()


def test_in_order_false_yields_everything():
    ds = U.RangeDataset(30)
    got = sorted(sum((b[1].tolist() for b in DataLoader(ds, batch_size=4, num_workers=2,
                                                         in_order=False)), []))
    assert got == list(range(30))


def test_pin_memory_is_accepted():
    with pytest.warns(UserWarning, match="pin_memory"):
        out = list(DataLoader(U.RangeDataset(4), batch_size=2, pin_memory=True))
    assert len(out) == 2


def test_status_check_interval_is_short():
    assert _utils.MP_STATUS_CHECK_INTERVAL <= 1.0
