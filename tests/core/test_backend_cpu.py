"""The cpu backend: lazy numba, cache directory fallback, light import."""
import os
import subprocess
import sys
import textwrap


def _run(code, **env):
    e = dict(os.environ)
    e.pop("NUMBA_CACHE_DIR", None)
    e.update(env)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=e, timeout=120)


def test_import_corelib_is_light():
    r = _run("""
        import sys, corelib
        x = corelib.randn(3, requires_grad=True)
        (x * 2).sum().backward()
        heavy = [m for m in ("numba", "PIL", "pluggy", "corelib_layers", "corelib_losses", "torch")
                 if m in sys.modules]
        print(heavy)
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_readonly_package_dir_falls_back_to_writable_cache(tmp_path):
    r = _run(f"""
        import os
        real_access = os.access
        import corelib.backends.cpu as cpu
        pkg = os.path.dirname(os.path.dirname(os.path.abspath(cpu.__file__)))
        os.access = lambda p, m: False if os.path.abspath(p) == pkg else real_access(p, m)
        os.environ["HOME"] = {str(tmp_path)!r}
        import numpy as np
        from corelib.backends.cpu import njit

        @njit
        def add1(a):
            return a + 1
        print(add1(np.arange(3)).tolist(), os.environ.get("NUMBA_CACHE_DIR"))
    """)
    assert r.returncode == 0, r.stderr
    out, cache = r.stdout.split("] ")
    assert out + "]" == "[1, 2, 3]"
    assert cache.strip().startswith(str(tmp_path))


def test_njit_compiles_lazily_and_caches(tmp_path):
    code = """
        import numpy as np, time
        from corelib.ops._special import erf_np
        t = time.perf_counter(); erf_np(np.zeros(3)); print(time.perf_counter() - t)
    """
    first = _run(code, NUMBA_CACHE_DIR=str(tmp_path))
    second = _run(code, NUMBA_CACHE_DIR=str(tmp_path))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert any(f.endswith(".nbi") for _, _, fs in os.walk(tmp_path) for f in fs)
    assert float(second.stdout) < max(float(first.stdout), 0.5)


def test_allocator_tuning_runs_once_at_first_backward_and_can_be_disabled():
    for env in ({}, {"CORELIB_MALLOC_TUNING": "0"}):
        r = _run("""
            import corelib
            from corelib.backends import cpu
            assert not cpu._tuned
            x = corelib.ones(3, requires_grad=True)
            (x * 2).sum().backward()
            print(cpu._tuned, x.grad.tolist())
        """, **env)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "[True] [2.0, 2.0, 2.0]"
