"""Kernel generators. Every kernel is grid-stride and never reads or writes out of bounds.

* ``ew(expr, kinds, nd)``: the one elementwise template. Inputs are arrays given as
  (flat buffer, element offset, element strides; stride 0 = broadcast) or scalars; the output
  is strided too (so the same kernel fills, copies, casts and writes into views). Cached per
  (expression, argument kinds, ndim); numba specialises each on dtypes.
* reductions over the last axis of a contiguous (M, K) array, split into chunks for a second pass;
* tiled shared-memory matmul over a batch (strided operands, stride 0 batch = broadcast);
* take_along_axis, flat gather / scatter / atomic scatter-add by offsets, cumulative sums;
* a counter-based random generator (a hash of (seed, counter, index)).
"""
import math
import os

import numba
import numpy as np

from corelib.backends.cuda._rt import SIM, Block, cuda, grid, jit

if SIM:
    # Trap: the simulator runs kernels as Python, where math.floor/ceil/trunc return ints (and
    # raise on NaN/inf, or on a numpy float32 for trunc) and math.exp & co. raise OverflowError;
    # on the GPU they return a float of the argument's type (inf on overflow). The kernels see
    # the GPU's semantics in the simulator too.
    import types as _types
    math = _types.SimpleNamespace(**{k: getattr(math, k) for k in dir(math) if not k.startswith("_")})
    math.floor, math.ceil, math.trunc, math.fmod = np.floor, np.ceil, np.trunc, np.fmod
    math.exp, math.expm1, math.sinh, math.cosh, math.pow = np.exp, np.expm1, np.sinh, np.cosh, np.power

_NS = {"cuda": cuda, "math": math, "numba": numba}


def _dev(fn):
    f = cuda.jit(device=True)(fn)
    _NS[fn.__name__] = f
    return f


# ---- device helpers (NaN semantics as numpy) ----------------------------------------------------
@_dev
def _maximum(a, b):
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


@_dev
def _minimum(a, b):
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


@_dev
def _sign(a):
    if a > 0:
        return 1
    if a < 0:
        return -1
    return 0 * a


@_dev
def _logaddexp(a, b):
    if a == b:
        return a + 0.6931471805599453
    m = a if a > b else b
    d = a - b if a > b else b - a
    if d != d:
        return a + b
    return m + math.log1p(math.exp(-d))


@_dev
def _floordiv(a, b):
    return a // b


@_dev
def _mod(a, b):
    if b == 0:
        return a - a
    r = a % b
    return r


@_dev
def _fmod(a, b):
    return math.fmod(a, b)


@_dev
def _fmod_floor(a, b):
    # Python's float % (the sign of b), with nan for b == 0 as numpy and torch
    r = math.fmod(a, b)
    if r != 0 and (r < 0) != (b < 0):
        r += b
    return r


@_dev
def _isinf(a):
    return a == a and (a - a) != (a - a)


@_dev
def _isfinite(a):
    return (a - a) == (a - a)


@_dev
def _round(a):
    # round half to even, as numpy.round
    f = math.floor(a)
    d = a - f
    if d > 0.5:
        return f + 1
    if d < 0.5:
        return f
    return f + 1 if (f % 2) != 0 else f


@_dev
def _ipow(a, b):
    # integer ** integer by squaring; a negative exponent gives 1 / a**|b| truncated (as torch)
    if b < 0:
        if a == 1:
            return a
        if a == -1:
            return a if b % 2 != 0 else -a
        return a - a
    r = a - a + 1
    while b > 0:
        if b & 1:
            r = r * a
        a = a * a
        b = b >> 1
    return r


@_dev
def _gcd(a, b):
    a = a if a >= 0 else -a
    b = b if b >= 0 else -b
    while b != 0:
        t = a % b
        a = b
        b = t
    return a


@_dev
def _lcm(a, b):
    g = _gcd(a, b)
    if g == 0:
        return g
    r = (a // g) * b
    return r if r >= 0 else -r


@_dev
def _sigmoid(a):
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


# ---- elementwise generator ------------------------------------------------------------------------
UNARY = {
    "positive": "{0}", "negative": "-{0}", "absolute": "abs({0})", "exp": "math.exp({0})",
    "expm1": "math.expm1({0})", "log": "math.log({0}) if {0} > 0 else (-math.inf if {0} == 0 else math.nan)",
    "log2": "math.log2({0}) if {0} > 0 else (-math.inf if {0} == 0 else math.nan)",
    "log10": "math.log10({0}) if {0} > 0 else (-math.inf if {0} == 0 else math.nan)",
    "log1p": "math.log1p({0}) if {0} > -1 else (-math.inf if {0} == -1 else math.nan)",
    "sqrt": "math.sqrt({0}) if {0} >= 0 else math.nan",
    "sin": "math.sin({0})", "cos": "math.cos({0})", "tan": "math.tan({0})",
    "arcsin": "math.asin({0}) if -1 <= {0} <= 1 else math.nan",
    "arccos": "math.acos({0}) if -1 <= {0} <= 1 else math.nan",
    "arctan": "math.atan({0})", "sinh": "math.sinh({0})", "cosh": "math.cosh({0})",
    "tanh": "math.tanh({0})", "floor": "math.floor({0})", "ceil": "math.ceil({0})",
    "arcsinh": "math.asinh({0})", "arccosh": "math.acosh({0}) if {0} >= 1 else math.nan",
    "arctanh": "math.atanh({0}) if -1 < {0} < 1 else (math.copysign(math.inf, {0}) if "
               "{0} == 1 or {0} == -1 else math.nan)",
    "trunc": "math.trunc({0})", "rint": "_round({0})", "round": "_round({0})",
    "sign": "_sign({0})", "isnan": "{0} != {0}", "isinf": "_isinf({0})",
    "isfinite": "_isfinite({0})", "logical_not": "not {0}", "invert": "~{0}",
    "signbit": "{0} < 0 or (1.0 / {0} < 0 if {0} == 0 else False)",
    "square": "{0} * {0}", "reciprocal": "1.0 / {0}", "erf": "math.erf({0})",
    "sigmoid": "_sigmoid({0})", "copy": "{0}", "bool": "{0} != 0",
}
BINARY = {
    "add": "{0} + {1}", "subtract": "{0} - {1}", "multiply": "{0} * {1}",
    "divide": "{0} / {1}", "true_divide": "{0} / {1}", "floor_divide": "_floordiv({0}, {1})",
    "remainder": "_mod({0}, {1})", "mod": "_mod({0}, {1})", "fmod": "_fmod({0}, {1})",
    "power": "{0} ** {1}", "maximum": "_maximum({0}, {1})", "minimum": "_minimum({0}, {1})",
    "fmax": "_maximum({0}, {1})", "fmin": "_minimum({0}, {1})",
    "arctan2": "math.atan2({0}, {1})", "logaddexp": "_logaddexp({0}, {1})",
    "equal": "{0} == {1}", "not_equal": "{0} != {1}", "less": "{0} < {1}",
    "less_equal": "{0} <= {1}", "greater": "{0} > {1}", "greater_equal": "{0} >= {1}",
    "logical_and": "({0} != 0) and ({1} != 0)", "logical_or": "({0} != 0) or ({1} != 0)",
    "logical_xor": "({0} != 0) != ({1} != 0)", "bitwise_and": "{0} & {1}",
    "bitwise_or": "{0} | {1}", "bitwise_xor": "{0} ^ {1}", "hypot": "math.hypot({0}, {1})",
    "left_shift": "{0} << {1}", "right_shift": "{0} >> {1}", "gcd": "_gcd({0}, {1})",
    "lcm": "_lcm({0}, {1})", "relu_grad": "0 if {1} <= 0 else {0}",
}
INT_POWER = "_ipow({0}, {1})"                          # power with an integer result
FLOAT_MOD = "_fmod_floor({0}, {1})"                     # remainder of floats (x % 0 = nan)
FLOAT_SIGNBIT = "math.copysign(1.0, {0}) < 0"           # signbit of floats (-0.0, -nan too)
TERNARY = {"where": "{1} if {0} else {2}", "axpy": "{0} + {2} * {1}"}

_ew_cache = {}
SOURCES = {}          # name -> source of every generated kernel (for the PTX sweep test)


def _decode(nd, ind):
    lines = [f"{ind}r = i"]
    for d in range(nd - 1, 0, -1):
        lines.append(f"{ind}i{d} = r % d{d}")
        lines.append(f"{ind}r = r // d{d}")
    lines.append(f"{ind}i0 = r")
    return lines


def _offset(name, nd):
    return " + ".join([f"{name}_off"] + [f"i{d} * {name}_s{d}" for d in range(nd)])


UNROLL = 4


def _ew_contig_source(expr, kinds):
    """Every array operand contiguous (stride 1): each thread handles UNROLL elements a grid
    stride apart per step, all loads issued before the stores (more bytes in flight)."""
    arrs = [j for j, kd in enumerate(kinds) if kd == "a"]
    params = ["out", "out_off"]
    for j, kd in enumerate(kinds):
        params += [f"x{j}", f"x{j}_off"] if kd == "a" else [f"x{j}"]
    params.append("n")
    U = UNROLL
    src = [f"def k({', '.join(params)}):",
           "    st = cuda.gridsize(1)",
           f"    for i in range(cuda.grid(1), n, {U} * st):",
           f"        if i + {U - 1} * st < n:"]
    for u in range(U):
        idx = "i" if u == 0 else f"i + {u} * st"
        for j in arrs:
            src.append(f"            v{j}_{u} = x{j}[x{j}_off + {idx}]")
    for u in range(U):
        idx = "i" if u == 0 else f"i + {u} * st"
        body = expr.format(*[f"v{j}_{u}" if kd == "a" else f"x{j}" for j, kd in enumerate(kinds)])
        src.append(f"            out[out_off + {idx}] = {body}")
    src += ["        else:",
            "            for t in range(i, n, st):"]
    for j in arrs:
        src.append(f"                w{j} = x{j}[x{j}_off + t]")
    body = expr.format(*[f"w{j}" if kd == "a" else f"x{j}" for j, kd in enumerate(kinds)])
    src.append(f"                out[out_off + t] = {body}")
    return "\n".join(src)


def ew_kernel(expr, kinds, nd):
    """nd: the number of (coalesced) dimensions, or "c" when every array operand is contiguous."""
    key = (expr, kinds, nd)
    k = _ew_cache.get(key)
    if k is not None:
        return k
    if nd == "c":
        code = _ew_contig_source(expr, kinds)
        ns = dict(_NS)
        exec(compile(code, f"<corelib-cuda-ew-{len(_ew_cache)}>", "exec"), ns)
        k = jit(ns["k"])
        SOURCES[f"ew{len(_ew_cache)}"] = (code, kinds, nd)
        _ew_cache[key] = k
        return k
    params = ["out", "out_off"] + [f"out_s{d}" for d in range(nd)]
    loads = []
    for j, kd in enumerate(kinds):
        if kd == "a":
            params += [f"x{j}", f"x{j}_off"] + [f"x{j}_s{d}" for d in range(nd)]
            loads.append(f"        v{j} = x{j}[{_offset(f'x{j}', nd)}]")
        else:
            params.append(f"x{j}")
            loads.append(f"        v{j} = x{j}")
    params += ["n"] + [f"d{d}" for d in range(nd)]
    body = expr.format(*[f"v{j}" for j in range(len(kinds))])
    src = [f"def k({', '.join(params)}):",
           "    for i in range(cuda.grid(1), n, cuda.gridsize(1)):"]
    src += _decode(nd, "        ")
    src += loads
    src.append(f"        out[{_offset('out', nd)}] = {body}")
    code = "\n".join(src)
    ns = dict(_NS)
    exec(compile(code, f"<corelib-cuda-ew-{len(_ew_cache)}>", "exec"), ns)
    k = jit(ns["k"])
    SOURCES[f"ew{len(_ew_cache)}"] = (code, kinds, nd)
    _ew_cache[key] = k
    return k


def launch_contiguous(expr, out, args, n):
    """launch_ew where out and every array argument are contiguous with n elements."""
    if n == 0:
        return
    call = [out._buf, out._off]
    kinds = []
    for a in args:
        if isinstance(a, tuple):
            call.append(a[0])
            kinds.append("s")
        else:
            call += [a._buf, a._off]
            kinds.append("a")
    call.append(n)
    ew_kernel(expr, tuple(kinds), "c")[grid(n)](*call)


def launch_ew(expr, out, args, shape):
    """out (CudaArray-like: _buf, _off, _st) = expr(args) over ``shape`` (already broadcast:
    array args carry strides for ``shape``)."""
    n = 1
    for s in shape:
        n *= s
    if n == 0:
        return
    # coalesce dims that are contiguous for every operand
    arrs = [out] + [a for a in args if not isinstance(a, tuple)]
    strides = [list(a._st) for a in arrs]
    keep = [i for i, s in enumerate(shape) if s != 1]
    dims = [shape[i] for i in keep]
    strides = [[st[i] for i in keep] for st in strides]
    d = len(dims) - 1
    while d > 0:
        if all(st[d - 1] == st[d] * dims[d] for st in strides):
            for st in strides:
                st[d - 1] = st[d]
                del st[d]
            dims[d - 1] *= dims[d]
            del dims[d]
        d -= 1
    if not dims:
        dims = [1]
        strides = [[0] for _ in strides]
    nd = len(dims)
    kinds = tuple("a" if not isinstance(a, tuple) else "s" for a in args)
    if nd == 1 and all(st[0] == 1 for st in strides):
        launch_contiguous(expr, out, args, n)
        return
    k = ew_kernel(expr, kinds, nd)
    call = [out._buf, out._off] + strides[0]
    j = 1
    for a in args:
        if isinstance(a, tuple):
            call.append(a[0])
        else:
            call += [a._buf, a._off] + strides[j]
            j += 1
    call += [n] + dims
    k[grid(n)](*call)


# ---- reductions: element (m, k) of x at x_off + m * sm + k * sk ---------------------------------------
_red_cache = {}
REDUCE = {
    "sum": ("acc = zero", "acc = acc + v", "acc"),
    "prod": ("acc = zero + 1", "acc = acc * v", "acc"),
    "max": ("acc = x[base + k0 * sk]", "acc = _maximum(acc, v)", "acc"),
    "min": ("acc = x[base + k0 * sk]", "acc = _minimum(acc, v)", "acc"),
    "any": ("acc = False", "acc = acc or (v != 0)", "acc"),
    "all": ("acc = True", "acc = acc and (v != 0)", "acc"),
    "argmax": ("acc = x[base + k0 * sk]\n            bi = k0", "if acc == acc and (v != v or v > acc):\n"
               "                    acc = v\n                    bi = k", "bi"),
    "argmin": ("acc = x[base + k0 * sk]\n            bi = k0", "if acc == acc and (v != v or v < acc):\n"
               "                    acc = v\n                    bi = k", "bi"),
    "count_nonzero": ("acc = 0", "acc = acc + (1 if v != 0 else 0)", "acc"),
}


def reduce_kernel(op):
    k = _red_cache.get(op)
    if k is not None:
        return k
    init, step, res = REDUCE[op]
    code = f"""def k(x, x_off, M, K, sm, sk, C, cs, zero, out):
    for t in range(cuda.grid(1), M * C, cuda.gridsize(1)):
        m = t // C
        c = t - m * C
        k0 = c * cs
        k1 = min(k0 + cs, K)
        base = x_off + m * sm
        if k0 < k1:
            {init}
            for k in range(k0, k1):
                v = x[base + k * sk]
                {step}
            out[t] = {res}
"""
    ns = dict(_NS)
    exec(compile(code, f"<corelib-cuda-reduce-{op}>", "exec"), ns)
    k = jit(ns["k"])
    SOURCES[f"reduce_{op}"] = (code, None, None)
    _red_cache[op] = k
    return k


# ---- matmul: shared-memory tiles, grid-stride over (batch, tile row, tile col) ------------------------
TILE = 4 if numba.config.ENABLE_CUDASIM else 16
_mm_cache = {}


def matmul_kernel(tile, dtype):
    key = (tile, np.dtype(dtype).str)
    k = _mm_cache.get(key)
    if k is not None:
        return k
    nbt = numba.from_dtype(np.dtype(dtype))
    T = tile

    def mm(a, a_off, a_sb, a_sm, a_sk, b, b_off, b_sb, b_sk, b_sn, out, B, M, N, K, S, kc, zero):
        # NOTE: one cuda.shared.array per line (the simulator keys them by source line)
        sa = cuda.shared.array((T, T), dtype=nbt)
        sb = cuda.shared.array((T, T), dtype=nbt)
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        tm = (M + T - 1) // T
        tn = (N + T - 1) // T
        nt = B * tm * tn
        for t in range(cuda.blockIdx.x, S * nt, cuda.gridDim.x):
            s = t // nt                              # split of k (S > 1: partial sums)
            bb = (t - s * nt) // (tm * tn)
            r = t - s * nt - bb * (tm * tn)
            ke = min(K, (s + 1) * kc)
            row = (r // tn) * T + ty
            col = (r - (r // tn) * tn) * T + tx
            acc = zero
            for k0 in range(s * kc, ke, T):
                ka = k0 + tx
                if row < M and ka < ke:
                    sa[ty, tx] = a[a_off + bb * a_sb + row * a_sm + ka * a_sk]
                else:
                    sa[ty, tx] = zero
                kb = k0 + ty
                if kb < ke and col < N:
                    sb[ty, tx] = b[b_off + bb * b_sb + kb * b_sk + col * b_sn]
                else:
                    sb[ty, tx] = zero
                cuda.syncthreads()
                for kk in range(T):
                    acc += sa[ty, kk] * sb[kk, tx]
                cuda.syncthreads()
            if row < M and col < N:
                out[((s * B + bb) * M + row) * N + col] = acc

    k = jit(mm)
    SOURCES[f"matmul_{key}"] = (mm, None, None)
    _mm_cache[key] = k
    return k


_mmr_cache = {}


def matmul_rt_kernel(BM, BN, BK, TM, TN, dtype):
    """Register-tiled matmul: a (BN/TN, BM/TM) block computes a BM x BN tile of the output, each
    thread a TM x TN micro-tile held in registers (rows ty + i*(BM/TM), cols tx + j*(BN/TN), so
    shared-memory reads within a warp are broadcasts or consecutive). k advances BK at a time."""
    key = (BM, BN, BK, TM, TN, np.dtype(dtype).str)
    k = _mmr_cache.get(key)
    if k is not None:
        return k
    nbt = numba.from_dtype(np.dtype(dtype))
    NX, NY = BN // TN, BM // TM
    NT = NX * NY
    LA, LB = BM * BK // NT, BK * BN // NT        # elements of each tile one thread loads

    def mm(a, a_off, a_sb, a_sm, a_sk, b, b_off, b_sb, b_sk, b_sn, out, B, M, N, K, S, kc, zero):
        # NOTE: one cuda.shared.array / cuda.local.array per line (the simulator keys them by line)
        sa = cuda.shared.array((BK, BM), dtype=nbt)
        sb = cuda.shared.array((BK, BN), dtype=nbt)
        acc = cuda.local.array((TM, TN), dtype=nbt)
        ra = cuda.local.array(TM, dtype=nbt)
        rb = cuda.local.array(TN, dtype=nbt)
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        tid = ty * NX + tx
        tm = (M + BM - 1) // BM
        tn = (N + BN - 1) // BN
        nt = B * tm * tn
        for t in range(cuda.blockIdx.x, S * nt, cuda.gridDim.x):
            s = t // nt                              # split of k (S > 1: partial sums)
            bb = (t - s * nt) // (tm * tn)
            r = t - s * nt - bb * (tm * tn)
            ke = min(K, (s + 1) * kc)
            row0 = (r // tn) * BM
            col0 = (r - (r // tn) * tn) * BN
            pa = a_off + bb * a_sb
            pb = b_off + bb * b_sb
            for i in range(TM):
                for j in range(TN):
                    acc[i, j] = zero
            for k0 in range(s * kc, ke, BK):
                for l in range(LA):
                    e = tid + l * NT                 # e -> (kk, m) with m fastest
                    kk = e // BM
                    m = e - kk * BM
                    gm = row0 + m
                    gk = k0 + kk
                    if gm < M and gk < ke:
                        sa[kk, m] = a[pa + gm * a_sm + gk * a_sk]
                    else:
                        sa[kk, m] = zero
                for l in range(LB):
                    e = tid + l * NT                 # e -> (kk, n) with n fastest
                    kk = e // BN
                    n = e - kk * BN
                    gn = col0 + n
                    gk = k0 + kk
                    if gn < N and gk < ke:
                        sb[kk, n] = b[pb + gk * b_sk + gn * b_sn]
                    else:
                        sb[kk, n] = zero
                cuda.syncthreads()
                for kk in range(BK):
                    for i in range(TM):
                        ra[i] = sa[kk, ty + i * NY]
                    for j in range(TN):
                        rb[j] = sb[kk, tx + j * NX]
                    for i in range(TM):
                        for j in range(TN):
                            acc[i, j] += ra[i] * rb[j]
                cuda.syncthreads()
            for i in range(TM):
                gm = row0 + ty + i * NY
                if gm < M:
                    for j in range(TN):
                        gn = col0 + tx + j * NX
                        if gn < N:
                            out[((s * B + bb) * M + gm) * N + gn] = acc[i, j]

    k = jit(mm)
    k.block = (NX, NY)
    SOURCES[f"matmul_rt_{key}"] = (mm, None, None)
    _mmr_cache[key] = k
    return k


def _rt_config():
    v = os.environ.get("CORELIB_CUDA_MATMUL", "")
    return tuple(int(x) for x in v.split(",")) if v.count(",") == 4 else None


RT_CONFIG = _rt_config()   # (BM, BN, BK, TM, TN): launch_matmul uses the register-tiled kernel


@jit
def sum_splits(ws, S, n, out):
    """out[i] = sum over s of ws[s * n + i] (the partial products of a split-k matmul)."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        acc = ws[i]
        for s in range(1, S):
            acc += ws[s * n + i]
        out[i] = acc


@jit
def matmul_simple(a, a_off, a_sb, a_sm, a_sk, b, b_off, b_sb, b_sk, b_sn, out, B, M, N, K, zero):
    """One thread per output element, k in the same ascending order as the tiled kernel (used
    only under the simulator for GEMMs with many tile steps: its syncthreads costs seconds)."""
    for i in range(cuda.grid(1), B * M * N, cuda.gridsize(1)):
        bb = i // (M * N)
        r = i - bb * (M * N)
        row = r // N
        col = r - row * N
        pa = a_off + bb * a_sb + row * a_sm
        pb = b_off + bb * b_sb + col * b_sn
        acc = zero
        for kk in range(K):
            acc += a[pa + kk * a_sk] * b[pb + kk * b_sk]
        out[i] = acc


SIM_TILED_MAX_STEPS = 64      # simulator: tiled kernel only up to this many (tile x k-step) blocks
RT_CONFIGS = ((128, 64, 8, 8, 4), (64, 64, 8, 4, 4))   # 9.8 and 8.2 TFLOP/s at 4096^3 on an H200
SPLIT_MIN_K = 1024            # split k when the output has too few tiles to fill the GPU
_sms = []


def _sm_count():
    if not _sms:
        try:
            _sms.append(int(cuda.get_current_device().MULTIPROCESSOR_COUNT))
        except Exception:         # simulator
            _sms.append(2)
    return _sms[0]


def matmul_plan(B, M, N, K, tile=None, splits=None):
    """(kernel config, splits): the register-tiled kernel (BM, BN, BK, TM, TN) for large outputs,
    the 16x16 tiled one otherwise; k split S ways when the output tiles alone cannot fill the GPU
    (e.g. a convolution's weight gradient: a few hundred outputs, k = batch * pixels)."""
    sim = numba.config.ENABLE_CUDASIM
    cfg = RT_CONFIG
    if cfg is None and tile is None and not sim:
        for c in RT_CONFIGS:
            if M >= c[0] and N >= c[1] and B * (-(-M // c[0])) * (-(-N // c[1])) >= _sm_count():
                cfg = c
                break
    if tile is not None:
        cfg = None
    bm, bn = (cfg[0], cfg[1]) if cfg else (tile or TILE, tile or TILE)
    if splits is None:
        tiles = B * (-(-M // bm)) * (-(-N // bn))
        splits = 1
        if not sim and K >= SPLIT_MIN_K and tiles < 2 * _sm_count():
            splits = max(1, min(-(-2 * _sm_count() // tiles), K // 256))
    return cfg, splits


def launch_matmul(a, b, out, B, M, N, K, a_st, b_st, tile=None, splits=None):
    if B * M * N == 0:
        return
    cfg, S = matmul_plan(B, M, N, K, tile, splits)
    if (numba.config.ENABLE_CUDASIM and cfg is None and S == 1 and
            B * (-(-M // TILE)) * (-(-N // TILE)) * (-(-K // TILE)) > SIM_TILED_MAX_STEPS):
        n = B * M * N
        matmul_simple[grid(n)](a._buf, a._off, a_st[0], a_st[1], a_st[2],
                               b._buf, b._off, b_st[0], b_st[1], b_st[2],
                               out._buf, B, M, N, K, out.dtype.type(0))
        return
    T = tile or TILE
    if cfg:
        k = matmul_rt_kernel(*cfg, out.dtype)
        bm, bn, block = cfg[0], cfg[1], k.block
    else:
        k = matmul_kernel(T, out.dtype)
        bm, bn, block = T, T, (T, T)
    kc = -(-K // S)
    if S > 1:
        kc = -(-kc // 64) * 64                   # whole tiles per split
        S = -(-K // kc)
    work = S * B * (-(-M // bm)) * (-(-N // bn))
    blocks = max(1, min(work, 2 if numba.config.ENABLE_CUDASIM else 65535))
    dst = out._buf
    if S > 1:
        ws = Block(S * B * M * N, out.dtype)
        dst = ws.dev
    k[blocks, block](a._buf, a._off, a_st[0], a_st[1], a_st[2],
                     b._buf, b._off, b_st[0], b_st[1], b_st[2],
                     dst, B, M, N, K, S, kc, out.dtype.type(0))
    if S > 1:
        n = B * M * N
        sum_splits[grid(n)](dst, S, n, out._buf)


# ---- gather/scatter -----------------------------------------------------------------------------------
@jit
def take_flat(src, offs, out, n):
    """out[i] = src[offs[i]] (offsets already validated; clamped so a bad one never reads OOB)."""
    m = src.shape[0]
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        o = offs[i]
        if 0 <= o < m:
            out[i] = src[o]


@jit
def put_flat(dst, offs, vals, n):
    m = dst.shape[0]
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        o = offs[i]
        if 0 <= o < m:
            dst[o] = vals[i]


@jit
def add_at_flat(dst, offs, vals, n):
    m = dst.shape[0]
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        o = offs[i]
        if 0 <= o < m:
            cuda.atomic.add(dst, o, vals[i])


@jit
def max_at_flat(dst, offs, vals, n):
    m = dst.shape[0]
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        o = offs[i]
        if 0 <= o < m:
            cuda.atomic.max(dst, o, vals[i])


@jit
def min_at_flat(dst, offs, vals, n):
    m = dst.shape[0]
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        o = offs[i]
        if 0 <= o < m:
            cuda.atomic.min(dst, o, vals[i])


@jit
def serial_mul_at_flat(dst, offs, vals, n):
    # no atomic multiply in CUDA: one thread applies the updates in order
    if cuda.grid(1) == 0:
        m = dst.shape[0]
        for i in range(n):
            o = offs[i]
            if 0 <= o < m:
                dst[o] = dst[o] * vals[i]


@jit
def arange_k(out, start, step, n):
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        out[i] = start + i * step


@jit
def cumsum_rows(x, out, M, K, prod):
    """Inclusive scan of each row of a contiguous (M, K) block (serial per row)."""
    for m in range(cuda.grid(1), M, cuda.gridsize(1)):
        base = m * K
        if K > 0:
            acc = x[base]
            out[base] = acc
            for k in range(1, K):
                if prod:
                    acc = acc * x[base + k]
                else:
                    acc = acc + x[base + k]
                out[base + k] = acc


@jit
def scan_chunks(x, out, M, K, C, cs, prod, totals):
    """Pass 1 of a long-row scan: each (row, chunk of cs) scanned serially; chunk totals kept."""
    for t in range(cuda.grid(1), M * C, cuda.gridsize(1)):
        m = t // C
        c = t - m * C
        k0 = c * cs
        k1 = min(k0 + cs, K)
        base = m * K
        acc = x[base + k0]
        out[base + k0] = acc
        for k in range(k0 + 1, k1):
            if prod:
                acc = acc * x[base + k]
            else:
                acc = acc + x[base + k]
            out[base + k] = acc
        totals[t] = acc


@jit
def scan_carry(totals, M, C, prod):
    """Pass 2: the totals of each row's chunks become exclusive prefixes (serial per row)."""
    for m in range(cuda.grid(1), M, cuda.gridsize(1)):
        acc = totals[m * C]
        totals[m * C] = acc - acc + (1 if prod else 0)
        for c in range(1, C):
            v = totals[m * C + c]
            totals[m * C + c] = acc
            acc = acc * v if prod else acc + v


@jit
def scan_apply(out, M, K, C, cs, prod, totals):
    """Pass 3: each element of chunk c > 0 combined with its chunk's prefix."""
    for i in range(cuda.grid(1), M * K, cuda.gridsize(1)):
        m = i // K
        c = (i - m * K) // cs
        if c > 0:
            if prod:
                out[i] = out[i] * totals[m * C + c]
            else:
                out[i] = out[i] + totals[m * C + c]


# ---- random: counter-based, a hash of (seed, counter, index) ------------------------------------------
@_dev
def _h32(x):
    x = x & 0xFFFFFFFF
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    x ^= x >> 16
    return x


@_dev
def _bits(i, s0, s1, ctr, j):
    h = _h32((i & 0xFFFFFFFF) ^ s0)
    h = _h32(h ^ ((i >> 32) & 0xFFFFFFFF) ^ s1)
    h = _h32(h ^ (ctr & 0xFFFFFFFF))
    h = _h32(h ^ ((ctr >> 32) & 0xFFFFFFFF) ^ (j * 0x9E3779B9 & 0xFFFFFFFF))
    return h


@jit
def rand_k(out, n, s0, s1, ctr, kind, a, b, f64):
    """kind 0: uniform [a, b); 1: normal(a, b); 2: bernoulli(a)."""
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        h1 = _bits(i, s0, s1, ctr, 0)
        if f64:
            h2 = _bits(i, s0, s1, ctr, 1)
            u = ((h1 >> 5) * 67108864.0 + (h2 >> 6)) * (1.0 / 9007199254740992.0)
        else:
            u = (h1 >> 8) * (1.0 / 16777216.0)
        if kind == 0:
            out[i] = a + (b - a) * u
        elif kind == 1:
            h3 = _bits(i, s0, s1, ctr, 2)
            u1 = ((h1 >> 8) + 1) * (1.0 / 16777216.0)
            u2 = (h3 >> 8) * (1.0 / 16777216.0)
            out[i] = a + b * (math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586 * u2))
        else:
            out[i] = 1 if u < a else 0


ALL_FIXED = {"take_flat": take_flat, "put_flat": put_flat, "add_at_flat": add_at_flat,
             "max_at_flat": max_at_flat, "min_at_flat": min_at_flat, "arange_k": arange_k,
             "cumsum_rows": cumsum_rows, "scan_chunks": scan_chunks, "scan_carry": scan_carry,
             "scan_apply": scan_apply, "rand_k": rand_k, "serial_mul_at_flat": serial_mul_at_flat,
             "matmul_simple": matmul_simple}
