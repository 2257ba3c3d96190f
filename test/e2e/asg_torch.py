"""Reference interpreter of the JSON ASG format (v1) in PyTorch.

This is the oracle of the end-to-end tests: it evaluates a model's `forward`
exactly as SPEC section 1 defines every op, in float32 like PyTorch (or in
float64, to measure how well conditioned a golden is).  It is deliberately
small and direct: one function per op, no optimisation.

It also checks a model statically (strict keys, names, dtypes and symbolic
shapes with named / anonymous dynamic dims), so that a test model which the
compiler would rightly reject is caught here, before goldens are made.

    model = load_model("models/mlp.json")
    sym = check_model(model)                   # {value: (dtype, symbolic shape)}
    outs = run_model(model, inputs, params)    # {output name: torch.Tensor}

Parameters use the SPEC layout: weights are `[in, out]` and `y = x @ W + b`.
"""

import json
import math
import re

import torch
import torch.nn.functional as F

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
MODEL_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INT_DTYPES = {"i32": torch.int32, "i64": torch.int64}
DTYPES = ("f32", "i32", "i64")


class ModelError(Exception):
    pass


# --------------------------------------------------------------------------
# Strict JSON loading
# --------------------------------------------------------------------------

def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ModelError(f"duplicate key {k!r}")
        d[k] = v
    return d


def load_model(path):
    with open(path) as f:
        return json.load(f, object_pairs_hook=_no_duplicates)


# --------------------------------------------------------------------------
# Op table: arity, allowed attrs, whether integer operands are allowed
# --------------------------------------------------------------------------

BINARY = {"add", "sub", "mul", "div", "pow", "maximum", "minimum"}
COMPARE = {"greater", "less", "equal"}
UNARY = {"neg", "abs", "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid",
         "relu", "silu", "softplus"}
REDUCE = {"sum", "mean", "max", "min"}
INT_OK = {"add", "sub", "mul", "div", "maximum", "minimum", "neg", "abs",
          "greater", "less", "equal", "where", "constant",
          "reshape", "transpose", "slice", "concat", "broadcast_to", "cast"}

ATTRS = {op: set() for op in BINARY | COMPARE | UNARY |
         {"where", "matmul", "embedding", "mse_loss", "cross_entropy"}}
ATTRS.update({
    "gelu": {"approximate"}, "leaky_relu": {"alpha"}, "elu": {"alpha"},
    "clamp": {"min", "max"}, "constant": {"value", "shape", "dtype"},
    "sum": {"axes", "keepdims"}, "mean": {"axes", "keepdims"},
    "max": {"axes", "keepdims"}, "min": {"axes", "keepdims"},
    "variance": {"axes", "keepdims", "correction"},
    "softmax": {"axis"}, "log_softmax": {"axis"},
    "reshape": {"shape"}, "transpose": {"perm"},
    "slice": {"axis", "start", "end", "step"}, "concat": {"axis"},
    "broadcast_to": {"shape"}, "cast": {"dtype"},
    "layer_norm": {"axis", "eps"},
})
ALL_OPS = frozenset(ATTRS)

ARITY = {op: 2 for op in BINARY | COMPARE | {"matmul", "embedding", "mse_loss",
                                             "cross_entropy"}}
ARITY.update({op: 1 for op in UNARY | REDUCE | {
    "gelu", "leaky_relu", "elu", "clamp", "variance", "softmax", "log_softmax",
    "reshape", "transpose", "slice", "broadcast_to", "cast"}})
ARITY.update({"where": 3, "layer_norm": 3, "constant": 0})  # concat: >= 1


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return (_is_int(v) or isinstance(v, float)) and not isinstance(v, bool)


# --------------------------------------------------------------------------
# Symbolic shapes: a dim is an int (static), a str (named dynamic) or an
# Anon (anonymous dynamic; `null` in JSON, or produced by e.g. reshape -1).
# --------------------------------------------------------------------------

class Anon:
    _n = 0

    def __init__(self):
        Anon._n += 1
        self.id = Anon._n

    def __repr__(self):
        return "?"


def _dyn(d):
    return not _is_int(d)


def _fmt(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _bcast_dim(a, b, where):
    if _is_int(a) and _is_int(b):
        if a == b or b == 1:
            return a
        if a == 1:
            return b
        raise ModelError(f"{where}: cannot broadcast {a} and {b}")
    if _is_int(a) or _is_int(b):
        s, d = (a, b) if _is_int(a) else (b, a)
        if s == 1:
            return d
        # Valid per SPEC (checked at run time), but a test model doing this
        # only works when the dynamic dim happens to equal s: refuse it.
        raise ModelError(f"{where}: dynamic dim {d} meets static {s}")
    if isinstance(a, str) and isinstance(b, str) and a != b:
        raise ModelError(f"{where}: different dim names {a} and {b}")
    return a if isinstance(a, str) else b


def _bcast(shapes, where):
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(rank):
        d = None
        for s in shapes:
            j = i - (rank - len(s))
            if j < 0:
                continue
            d = s[j] if d is None else _bcast_dim(d, s[j], where)
        out.append(d)
    return out


def _same(a, b):
    return a is b or (not isinstance(a, Anon) and a == b)


def _axis(ax, rank, where):
    if not _is_int(ax) or not -rank <= ax < max(rank, 1):
        raise ModelError(f"{where}: axis {ax} out of range for rank {rank}")
    return ax % rank if rank else 0


def _axes(attrs, rank, where):
    """Normalized, sorted reduction axes (absent: all, []: none)."""
    if "axes" not in attrs:
        return list(range(rank))
    axes = attrs["axes"]
    if not isinstance(axes, list):
        raise ModelError(f"{where}: axes must be a list")
    norm = [_axis(a, rank, where) for a in axes]
    if len(set(norm)) != len(norm):
        raise ModelError(f"{where}: duplicate axes {axes}")
    return sorted(norm)


def _nested_shape(v, where, depth=0):
    if depth > 64:
        raise ModelError(f"{where}: constant nested too deeply")
    if _is_num(v):
        return []
    if not isinstance(v, list) or not v:
        raise ModelError(f"{where}: bad constant value")
    subs = [_nested_shape(x, where, depth + 1) for x in v]
    if any(s != subs[0] for s in subs):
        raise ModelError(f"{where}: ragged constant value")
    return [len(v)] + subs[0]


def _static_shape(shape, where):
    if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
        raise ModelError(f"{where}: shape must be a list of non-negative ints")
    return list(shape)


def _decl_shape(shape, where):
    if not isinstance(shape, list) or len(shape) > 8:
        raise ModelError(f"{where}: bad shape {shape}")
    out = []
    for d in shape:
        if d is None:
            out.append(Anon())
        elif isinstance(d, str) or (_is_int(d) and d >= 0):
            out.append(d)
        else:
            raise ModelError(f"{where}: bad dim {d!r}")
    return out


def _check_keys(obj, required, optional, where):
    if not isinstance(obj, dict):
        raise ModelError(f"{where}: expected an object")
    for k in required:
        if k not in obj:
            raise ModelError(f"{where}: missing key {k!r}")
    for k in obj:
        if k not in required and k not in optional:
            raise ModelError(f"{where}: unknown key {k!r}")


INIT_KEYS = {"zeros": set(), "ones": set(), "constant": {"value"},
             "normal": {"mean", "std"}, "uniform": {"low", "high"},
             "xavier_uniform": set(), "kaiming_uniform": {"a"}}


def check_model(model):
    """Strictly validates a model; returns {name: (dtype, symbolic shape)}."""
    _check_keys(model, {"asg", "name", "inputs", "nodes", "outputs"},
                {"params", "train"}, "model")
    if model["asg"] != 1 or not _is_int(model["asg"]):
        raise ModelError("asg must be 1")
    if not isinstance(model["name"], str) or not MODEL_NAME_RE.match(model["name"]):
        raise ModelError(f"bad model name {model['name']!r}")
    sym = {}

    def define(name, dtype, shape, where):
        if not isinstance(name, str) or not NAME_RE.match(name) or name.startswith("optim."):
            raise ModelError(f"{where}: bad name {name!r}")
        if name in sym:
            raise ModelError(f"{where}: duplicate name {name!r}")
        if len(shape) > 8:
            raise ModelError(f"{where}: rank above 8")
        sym[name] = (dtype, shape)

    for inp in model["inputs"]:
        where = f"input {inp.get('name')!r}"
        _check_keys(inp, {"name", "shape"}, {"dtype"}, where)
        dt = inp.get("dtype", "f32")
        if dt not in DTYPES:
            raise ModelError(f"{where}: bad dtype {dt!r}")
        define(inp["name"], dt, _decl_shape(inp["shape"], where), where)
    for p in model.get("params", []):
        where = f"param {p.get('name')!r}"
        _check_keys(p, {"name", "shape"}, {"init", "trainable"}, where)
        shape = _static_shape(p["shape"], where)
        if "init" in p:
            init = p["init"]
            kind = init.get("kind") if isinstance(init, dict) else None
            if kind not in INIT_KEYS:
                raise ModelError(f"{where}: bad init {init!r}")
            _check_keys(init, {"kind"} | ({"value"} if kind == "constant" else set()),
                        INIT_KEYS[kind], where)
            if kind in ("xavier_uniform", "kaiming_uniform") and len(shape) < 2:
                raise ModelError(f"{where}: {kind} needs rank >= 2")
        if "trainable" in p and not isinstance(p["trainable"], bool):
            raise ModelError(f"{where}: trainable must be a bool")
        define(p["name"], "f32", shape, where)
    for node in model["nodes"]:
        where = f"'{node.get('op')}' node '{node.get('name')}'"
        _check_keys(node, {"name", "op", "inputs"}, {"attrs"}, where)
        op, attrs = node["op"], node.get("attrs", {})
        if op not in ALL_OPS:
            raise ModelError(f"{where}: unknown op")
        if not isinstance(attrs, dict):
            raise ModelError(f"{where}: attrs must be an object")
        for k in attrs:
            if k not in ATTRS[op]:
                raise ModelError(f"{where}: unknown attr {k!r}")
        ins = node["inputs"]
        for n in ins:
            if n not in sym:
                raise ModelError(f"{where}: undefined input {n!r}")
        if op == "concat" and not ins or op != "concat" and len(ins) != ARITY[op]:
            raise ModelError(f"{where}: wrong number of inputs")
        dtype, shape = _infer(op, attrs, [sym[n] for n in ins], where)
        define(node["name"], dtype, shape, where)
    if not model["outputs"]:
        raise ModelError("no outputs")
    for o in model["outputs"]:
        if o not in sym:
            raise ModelError(f"undefined output {o!r}")
    if "train" in model:
        t = model["train"]
        _check_keys(t, {"loss", "optimizer"}, {"clip_grad_norm"}, "train")
        if t["loss"] not in sym or sym[t["loss"]] != ("f32", []):
            raise ModelError("train.loss must name a scalar f32 node")
        opt = t["optimizer"]
        optional = {"sgd": {"lr", "momentum", "weight_decay", "nesterov"},
                    "adam": {"lr", "beta1", "beta2", "eps", "weight_decay"},
                    "adamw": {"lr", "beta1", "beta2", "eps", "weight_decay"}}
        if not isinstance(opt, dict) or opt.get("kind") not in optional:
            raise ModelError("train.optimizer: bad kind")
        _check_keys(opt, {"kind"} | ({"lr"} if opt["kind"] == "sgd" else set()),
                    optional[opt["kind"]], "train.optimizer")
    return sym


def _infer(op, attrs, args, where):
    """Result (dtype, symbolic shape) of one node; raises ModelError."""
    dts = [a[0] for a in args]
    shs = [a[1] for a in args]

    def need_f32(*idx):
        for i in idx or range(len(args)):
            if dts[i] != "f32":
                raise ModelError(f"{where}: operand {i} must be f32, got {dts[i]}")

    def need_same(*idx):
        if len({dts[i] for i in idx}) > 1:
            raise ModelError(f"{where}: operand dtypes differ: {dts}")

    if op != "constant" and op not in INT_OK and op not in (
            "embedding", "cross_entropy"):
        need_f32()
    if op in BINARY or op in COMPARE:
        need_same(0, 1)
        return ("f32" if op in COMPARE else dts[0]), _bcast(shs, where)
    if op == "where":
        need_same(1, 2)
        return dts[1], _bcast(shs, where)
    if op in UNARY or op in ("leaky_relu", "elu"):
        if "alpha" in attrs and not _is_num(attrs["alpha"]):
            raise ModelError(f"{where}: alpha must be a number")
        return dts[0], shs[0]
    if op == "gelu":
        if attrs.get("approximate", "none") not in ("none", "tanh"):
            raise ModelError(f"{where}: bad approximate")
        return dts[0], shs[0]
    if op == "clamp":
        for k in ("min", "max"):
            if k in attrs and not _is_num(attrs[k]):
                raise ModelError(f"{where}: {k} must be a number")
        return dts[0], shs[0]
    if op == "constant":
        dt = attrs.get("dtype", "f32")
        if dt not in DTYPES or "value" not in attrs:
            raise ModelError(f"{where}: bad constant")
        vshape = _nested_shape(attrs["value"], where)
        if dt != "f32" and not _all_ints(attrs["value"]):
            raise ModelError(f"{where}: integer constant with non-integer value")
        if "shape" in attrs:
            shape = _static_shape(attrs["shape"], where)
            _bcast([vshape, shape], where)
            if len(vshape) > len(shape):
                raise ModelError(f"{where}: value does not fit shape")
            return dt, shape
        return dt, vshape
    if op == "matmul":
        a, b = shs
        if len(a) < 2 or len(b) < 2:
            raise ModelError(f"{where}: matmul needs rank >= 2")
        if not _same(a[-1], b[-2]):
            raise ModelError(f"{where}: inner dims {a[-1]} and {b[-2]} not statically equal")
        return "f32", _bcast([a[:-2], b[:-2]], where) + [a[-2], b[-1]]
    if op in REDUCE or op == "variance":
        x = shs[0]
        axes = _axes(attrs, len(x), where)
        if "correction" in attrs and not _is_num(attrs["correction"]):
            raise ModelError(f"{where}: correction must be a number")
        keep = attrs.get("keepdims", False)
        if not isinstance(keep, bool):
            raise ModelError(f"{where}: keepdims must be a bool")
        return "f32", [(1 if i in axes else d) for i, d in enumerate(x)
                       if keep or i not in axes]
    if op in ("softmax", "log_softmax"):
        _axis(attrs.get("axis", -1), len(shs[0]), where)
        return "f32", shs[0]
    if op == "reshape":
        x, shape = shs[0], attrs.get("shape")
        if not isinstance(shape, list) or not all(_is_int(d) and d >= -1 for d in shape) \
                or shape.count(-1) > 1 or len(shape) > 8:
            raise ModelError(f"{where}: bad reshape shape {shape}")
        known = math.prod(d for d in shape if d != -1)
        if all(_is_int(d) for d in x):
            n = math.prod(x)
            if -1 in shape:
                if known == 0 or n % known:
                    raise ModelError(f"{where}: cannot reshape {_fmt(x)} to {shape}")
                return dts[0], [n // known if d == -1 else d for d in shape]
            if n != known:
                raise ModelError(f"{where}: cannot reshape {_fmt(x)} to {shape}")
            return dts[0], list(shape)
        if -1 not in shape:
            raise ModelError(f"{where}: reshape of dynamic {_fmt(x)} needs -1")
        return dts[0], [Anon() if d == -1 else d for d in shape]
    if op == "transpose":
        x = shs[0]
        perm = attrs.get("perm", list(range(len(x)))[::-1])
        if sorted(perm) != list(range(len(x))):
            raise ModelError(f"{where}: bad perm {perm}")
        return dts[0], [x[p] for p in perm]
    if op == "slice":
        x = list(shs[0])
        if "axis" not in attrs:
            raise ModelError(f"{where}: slice needs axis")
        ax = _axis(attrs["axis"], len(x), where)
        start, end, step = attrs.get("start", 0), attrs.get("end"), attrs.get("step", 1)
        if not _is_int(start) or not (end is None or _is_int(end)) or not _is_int(step) or step <= 0:
            raise ModelError(f"{where}: bad slice bounds")
        if _is_int(x[ax]):
            x[ax] = len(range(*slice(start, end, step).indices(x[ax])))
        elif not (start == 0 and end is None and step == 1):
            x[ax] = Anon()
        return dts[0], x
    if op == "concat":
        need_same(*range(len(args)))
        rank = len(shs[0])
        if "axis" not in attrs:
            raise ModelError(f"{where}: concat needs axis")
        ax = _axis(attrs["axis"], rank, where)
        out = list(shs[0])
        for s in shs[1:]:
            if len(s) != rank or any(i != ax and not _same(s[i], out[i]) for i in range(rank)):
                raise ModelError(f"{where}: concat shapes differ off the axis: {[_fmt(s) for s in shs]}")
        ds = [s[ax] for s in shs]
        out[ax] = sum(ds) if all(_is_int(d) for d in ds) else Anon()
        return dts[0], out
    if op == "broadcast_to":
        shape = _static_shape(attrs.get("shape"), where)
        x = shs[0]
        if len(x) > len(shape) or _bcast([x, shape], where) != shape:
            raise ModelError(f"{where}: cannot broadcast {_fmt(x)} to {shape}")
        return dts[0], shape
    if op == "cast":
        if attrs.get("dtype") not in DTYPES:
            raise ModelError(f"{where}: bad cast dtype")
        return attrs["dtype"], shs[0]
    if op == "layer_norm":
        x = shs[0]
        ax = _axis(attrs.get("axis", -1), len(x), where)
        for s in shs[1:]:
            if len(s) != len(x) - ax or not all(_same(a, b) for a, b in zip(s, x[ax:])):
                raise ModelError(f"{where}: gamma/beta {_fmt(s)} != normalized {_fmt(x[ax:])}")
        return "f32", x
    if op == "embedding":
        if dts[0] != "f32" or len(shs[0]) != 2 or dts[1] not in INT_DTYPES:
            raise ModelError(f"{where}: embedding needs f32 [V, D] and int ids")
        return "f32", shs[1] + [shs[0][1]]
    if op == "mse_loss":
        if len(shs[0]) != len(shs[1]) or not all(map(_same, *shs)):
            raise ModelError(f"{where}: mse_loss shapes differ")
        return "f32", []
    if op == "cross_entropy":
        lg, tg = shs
        if dts[0] != "f32" or dts[1] not in INT_DTYPES or len(lg) < 1 \
                or len(tg) != len(lg) - 1 or not all(map(_same, tg, lg[:-1])):
            raise ModelError(f"{where}: cross_entropy needs f32 [..., C] and int [...]")
        return "f32", []
    raise ModelError(f"{where}: unhandled op")


def _all_ints(v):
    return _is_int(v) if not isinstance(v, list) else all(map(_all_ints, v))


def needed_inputs(model):
    """Inputs that `forward` takes: those its outputs depend on, in model order."""
    deps = {n["name"]: n["inputs"] for n in model["nodes"]}
    seen, stack = set(), list(model["outputs"])
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            stack.extend(deps.get(v, []))
    return [i["name"] for i in model["inputs"] if i["name"] in seen]


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------

def _cast(x, dtype, fdt):
    if dtype == "f32":
        return x.to(fdt)
    it = INT_DTYPES[dtype]
    if not x.is_floating_point():
        return x.to(it)
    # float -> int: truncate toward zero, saturate, NaN -> 0 (computed in
    # float64, where every f32 value and both int bounds are exact).
    bits = torch.iinfo(it).bits
    t = torch.trunc(x.double())
    t = torch.where(torch.isnan(t), torch.zeros_like(t), t)
    hi, lo = t >= 2.0 ** (bits - 1), t < -(2.0 ** (bits - 1))
    r = torch.where(hi | lo, torch.zeros_like(t), t).to(torch.int64)
    r = torch.where(hi, torch.full_like(r, torch.iinfo(it).max), r)
    r = torch.where(lo, torch.full_like(r, torch.iinfo(it).min), r)
    return r.to(it)


def _reduce(fn, x, axes, keep):
    if not axes:
        return x.clone()
    return fn(x, dim=axes, keepdim=keep)


def _variance(x, axes, keep, correction):
    if not axes:
        # Reducing nothing: each "group" is one element: 0 / (1 - correction).
        return (x - x) / (1 - correction)
    n = math.prod(x.shape[a] for a in axes)
    m = x.mean(dim=axes, keepdim=True)
    return ((x - m) ** 2).sum(dim=axes, keepdim=keep) / (n - correction)


def eval_node(op, attrs, args, fdt=torch.float32):
    """Evaluates one op on concrete tensors (SPEC section 1 semantics)."""
    a = args
    if op == "add":
        return a[0] + a[1]
    if op == "sub":
        return a[0] - a[1]
    if op == "mul":
        return a[0] * a[1]
    if op == "div":
        if a[0].is_floating_point():
            return a[0] / a[1]
        if (a[1] == 0).any():
            raise ModelError("integer division by zero")
        return torch.div(a[0], a[1], rounding_mode="trunc")
    if op == "pow":
        return torch.pow(a[0], a[1])
    if op == "maximum":
        return torch.maximum(*torch.broadcast_tensors(a[0], a[1]))
    if op == "minimum":
        return torch.minimum(*torch.broadcast_tensors(a[0], a[1]))
    if op in COMPARE:
        fn = {"greater": torch.gt, "less": torch.lt, "equal": torch.eq}[op]
        return fn(a[0], a[1]).to(fdt)
    if op == "where":
        return torch.where(a[0] != 0, a[1], a[2])
    if op == "neg":
        return -a[0]
    if op == "abs":
        return torch.abs(a[0])
    if op in ("exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid"):
        return getattr(torch, op)(a[0])
    if op == "relu":
        x = a[0]
        return torch.where(torch.isnan(x), x, torch.relu(x))
    if op == "silu":
        return F.silu(a[0])
    if op == "softplus":
        return F.softplus(a[0])
    if op == "gelu":
        return F.gelu(a[0], approximate=attrs.get("approximate", "none"))
    if op == "leaky_relu":
        return F.leaky_relu(a[0], attrs.get("alpha", 0.01))
    if op == "elu":
        return F.elu(a[0], attrs.get("alpha", 1.0))
    if op == "clamp":
        x = a[0]
        if "min" in attrs:
            x = torch.where(x < attrs["min"], torch.full_like(x, attrs["min"]), x)
        if "max" in attrs:
            x = torch.where(x > attrs["max"], torch.full_like(x, attrs["max"]), x)
        return x  # NaN compares false both ways: propagated
    if op == "constant":
        dt = attrs.get("dtype", "f32")
        t = torch.tensor(attrs["value"], dtype=fdt if dt == "f32" else INT_DTYPES[dt])
        if "shape" in attrs:
            t = t.broadcast_to(attrs["shape"]).clone()
        return t
    if op == "matmul":
        return torch.matmul(a[0], a[1])
    if op in REDUCE or op == "variance":
        x = a[0]
        axes = _axes(attrs, x.dim(), op)
        keep = attrs.get("keepdims", False)
        if op == "variance":
            return _variance(x, axes, keep, attrs.get("correction", 0))
        if x.dim() == 0:
            return x.clone()
        fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}[op]
        return _reduce(fn, x, axes, keep)
    if op == "softmax":
        return torch.softmax(a[0], dim=attrs.get("axis", -1))
    if op == "log_softmax":
        return torch.log_softmax(a[0], dim=attrs.get("axis", -1))
    if op == "reshape":
        return a[0].reshape(attrs["shape"])
    if op == "transpose":
        x = a[0]
        return x.permute(attrs.get("perm", list(range(x.dim()))[::-1])).contiguous()
    if op == "slice":
        x = a[0]
        ax = attrs["axis"] % x.dim()
        r = range(*slice(attrs.get("start", 0), attrs.get("end"), attrs.get("step", 1))
                  .indices(x.shape[ax]))
        return x.index_select(ax, torch.tensor(list(r), dtype=torch.int64))
    if op == "concat":
        return torch.cat(a, dim=attrs["axis"])
    if op == "broadcast_to":
        return a[0].broadcast_to(attrs["shape"]).contiguous()
    if op == "cast":
        return _cast(a[0], attrs["dtype"], fdt)
    if op == "layer_norm":
        x, g, b = a
        ax = attrs.get("axis", -1) % x.dim()
        return F.layer_norm(x, x.shape[ax:], g, b, attrs.get("eps", 1e-5))
    if op == "embedding":
        table, ids = a
        if ((ids < 0) | (ids >= table.shape[0])).any():
            raise ModelError("embedding id out of range")
        return F.embedding(ids.long(), table)
    if op == "mse_loss":
        return ((a[0] - a[1]) ** 2).mean()
    if op == "cross_entropy":
        logits, target = a
        c = logits.shape[-1]
        if ((target < 0) | (target >= c)).any():
            raise ModelError("cross_entropy target out of range")
        logp = torch.log_softmax(logits, dim=-1)
        return -logp.gather(-1, target.long().unsqueeze(-1)).squeeze(-1).mean()
    raise ModelError(f"unknown op {op!r}")


def run_model(model, inputs, params, fdt=torch.float32, sym=None, trace=None):
    """Evaluates `forward`: returns {output name: tensor}.

    inputs / params: {name: tensor}; f32 tensors are converted to `fdt`.
    Checks input dtypes and shapes against the declaration (named dims agree),
    and that no dynamic dim is broadcast (SPEC: a dynamic dim never
    broadcasts).  `trace`, a dict, receives every value computed."""
    sym = sym or check_model(model)
    env, dims = {}, {}
    for inp in model["inputs"]:
        name = inp["name"]
        if name not in inputs:
            continue
        t = inputs[name]
        dt = inp.get("dtype", "f32")
        want = fdt if dt == "f32" else INT_DTYPES[dt]
        if dt == "f32":
            if not t.is_floating_point():
                raise ModelError(f"input {name}: expected f32")
            t = t.to(fdt)
        elif t.dtype != want:
            raise ModelError(f"input {name}: expected {dt}, got {t.dtype}")
        if t.dim() != len(inp["shape"]):
            raise ModelError(f"input {name}: rank {t.dim()} != {len(inp['shape'])}")
        for d, n in zip(inp["shape"], t.shape):
            if _is_int(d) and d != n or isinstance(d, str) and dims.setdefault(d, n) != n:
                raise ModelError(f"input {name}: shape {list(t.shape)} != {inp['shape']}")
        env[name] = t
    for p in model.get("params", []):
        t = params[p["name"]].to(fdt)
        if list(t.shape) != p["shape"]:
            raise ModelError(f"param {p['name']}: shape {list(t.shape)} != {p['shape']}")
        env[p["name"]] = t
    for node in model["nodes"]:
        if not all(n in env for n in node["inputs"]):
            continue  # depends on an input not given (not needed by forward)
        args = [env[n] for n in node["inputs"]]
        op = node["op"]
        if op in BINARY or op in COMPARE or op == "where":
            _check_no_dyn_broadcast(node, [sym[n][1] for n in node["inputs"]], args)
        try:
            env[node["name"]] = eval_node(op, node.get("attrs", {}), args, fdt)
        except ModelError as e:
            raise ModelError(f"'{op}' node '{node['name']}': {e}") from None
        if trace is not None:
            trace[node["name"]] = env[node["name"]]
    return {o: env[o] for o in model["outputs"]}


def _check_no_dyn_broadcast(node, shapes, args):
    rank = max(len(s) for s in shapes)
    for i in range(rank):
        sizes = set()
        for s, t in zip(shapes, args):
            j = i - (rank - len(s))
            if j >= 0 and (_dyn(s[j]) or t.shape[j] != 1):
                sizes.add(t.shape[j])
        if len(sizes) > 1:
            raise ModelError(f"'{node['op']}' node '{node['name']}': dynamic dim "
                             f"would broadcast (sizes {sorted(sizes)})")


def ops_used(model):
    """{op: set of attribute variants} used by a model (for coverage reports)."""
    used = {}
    for n in model["nodes"]:
        attrs = n.get("attrs", {})
        variant = ",".join(f"{k}={json.dumps(attrs[k])}" if k not in ("value",) else
                           f"value:{'list' if isinstance(attrs[k], list) else 'scalar'}"
                           for k in sorted(attrs)) or "-"
        used.setdefault(n["op"], set()).add(variant)
    return used
