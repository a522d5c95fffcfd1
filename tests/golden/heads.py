# Golden vectors for the trainer's heads: the loss and its parameter gradient, in float64
# with PyTorch autograd, for a fixed case per head and objective. Run from the repository
# root: /opt/venv/bin/python tests/golden/heads.py > tests/golden/heads.json
#
# Parameter layout (anyloss_core::train): layer by layer, unit by unit, the unit's weights
# over the layer's inputs, then its bias. Features are already standardised.
import json, math
import torch

torch.set_default_dtype(torch.float64)
N, F = 12, 3
# Fixed inputs, exactly representable in f32 (multiples of 1/64).
X = [[round(64 * math.sin(1.3 * i + 0.7 * j + 0.2)) / 64 * 1.5 for j in range(F)] for i in range(N)]
Y2 = [1 if (i % 3 == 0 or i == 4) else 0 for i in range(N)]
Y3 = [i % 3 for i in range(N)]

def params(n, seed):
    return [round(64 * 0.8 * math.cos(0.9 * k + seed)) / 64 for k in range(n)]

def count(shape):
    f, (h1, h2), o = shape["features"], shape["hidden"], shape["outputs"]
    widths = [w for w in [f, h1, h2, o] if w > 0]
    return sum(b * (a + 1) for a, b in zip(widths, widths[1:]))

def logits(p, shape, x):
    f, (h1, h2), o = shape["features"], shape["hidden"], shape["outputs"]
    widths = [w for w in [f, h1, h2, o] if w > 0]
    a, off = x, 0
    for k, (i, u) in enumerate(zip(widths, widths[1:])):
        layer = p[off:off + u * (i + 1)].reshape(u, i + 1)
        off += u * (i + 1)
        a = a @ layer[:, :i].T + layer[:, i]
        if k + 2 < len(widths):
            a = torch.relu(a)
    return a

def hybrid_f1(z, y, L, r):
    y = torch.tensor(y, dtype=torch.float64)
    p = torch.sigmoid(z[:, 0])
    a = torch.sigmoid(L * (p - 0.5))
    tp, fn, fp = (y * a).sum(), (y * (1 - a)).sum(), ((1 - y) * a).sum()
    f1 = 2 * tp / (2 * tp + fp + fn)
    bce = torch.nn.functional.binary_cross_entropy_with_logits(z[:, 0], y)
    return (1 - r) * bce + r * (1 - f1)

def cross_entropy(z, y):
    return torch.nn.functional.cross_entropy(z, torch.tensor(y))

def macro_f1(z, y, L):
    probs = torch.softmax(z, dim=1)
    a = torch.sigmoid(L * (probs - 0.5))
    onehot = torch.nn.functional.one_hot(torch.tensor(y), 3).double()
    tp, fn, fp = (onehot * a).sum(0), (onehot * (1 - a)).sum(0), ((1 - onehot) * a).sum(0)
    return 1 - (2 * tp / (2 * tp + fp + fn)).mean()

CASES = [
    ({"features": F, "hidden": [0, 0], "outputs": 1}, "hybrid_f1", {"L": 10.0, "r": 0.5}),
    ({"features": F, "hidden": [5, 0], "outputs": 1}, "hybrid_f1", {"L": 10.0, "r": 0.5}),
    ({"features": F, "hidden": [4, 3], "outputs": 1}, "hybrid_f1", {"L": 10.0, "r": 1.0}),
    ({"features": F, "hidden": [4, 3], "outputs": 1}, "hybrid_f1", {"L": 10.0, "r": 0.0}),
    ({"features": F, "hidden": [0, 0], "outputs": 3}, "cross_entropy", {}),
    ({"features": F, "hidden": [5, 0], "outputs": 3}, "cross_entropy", {}),
    ({"features": F, "hidden": [4, 3], "outputs": 3}, "macro_f1", {"L": 4.0}),
]
out = {
    "schema_version": 1,
    "description": "Loss and parameter gradient of every anyloss_core::train head (logistic, softmax, MLP) under each objective, float64 torch autograd.",
    "generator": f"tests/golden/heads.py, torch {torch.__version__}, float64",
    "layout": "params: layer by layer, unit by unit: the unit's weights over its inputs, then its bias; hidden layers ReLU",
    "x": X, "y_binary": Y2, "y_classes": Y3,
    "cases": [],
}
for k, (shape, objective, settings) in enumerate(CASES):
    p0 = params(count(shape), k)
    p = torch.tensor(p0, requires_grad=True)
    z = logits(p, shape, torch.tensor(X))
    if objective == "hybrid_f1":
        loss = hybrid_f1(z, Y2, settings["L"], settings["r"])
    elif objective == "cross_entropy":
        loss = cross_entropy(z, Y3)
    else:
        loss = macro_f1(z, Y3, settings["L"])
    loss.backward()
    out["cases"].append({"shape": shape, "objective": objective, **settings,
                         "params": p0, "loss": loss.item(), "grad": p.grad.tolist()})
print(json.dumps(out, indent=1))
