"""annlib.tensor against PyTorch (CPU, float64) on one training step of a small MLP.

The workload: one step of training, forward pass, mean cross-entropy, backward
pass and SGD update (lr 0.1, no momentum), of an MLP 64-64-10 with a ReLU hidden
layer on the 1,797 handwritten digits (64 pixels scaled to 0..1, float64):

* full batch: all 1,797 examples in every step;
* mini-batch: 32 examples per step, in a fixed shuffled order.

Contestants, each with the same starting weights (annlib.tensor's, copied):

1. annlib.tensor: ``cross_entropy(model(X), y)``, ``backward()``, ``SGD.step()``;
2. PyTorch 2.13.0 CPU: ``nn.Sequential(Linear, ReLU, Linear)`` in float64,
   ``F.cross_entropy``, ``loss.backward()``, ``torch.optim.SGD``;
3. NumPy by hand: the same step with the backward pass written out, no autograd
   (the floor: what the arithmetic alone costs in NumPy).

All three do the same arithmetic on the same batches; the script checks that
their losses agree at every step. Each runs on one thread
(OMP/MKL/OPENBLAS_NUM_THREADS=1, ``torch.set_num_threads(1)``). They take turns
of ten steps, in rotating order, so that a busy machine slows all of them alike,
and the median step time of each is reported (CPU time of the process, and
wall-clock time), with its ratio to PyTorch's. The scalar engine (`annlib.Value`,
`annlib.nn.MLP`) is timed on the same network and weights for a few steps, for scale.

PyTorch is never a course dependency: the first run creates ``benchmarks/.venv``
(ignored by git), installs torch==2.13.0 and annlib into it, and runs there.

Usage:  python benchmarks/bench_torch.py [--full-steps 200] [--mini-steps 2000]
                                         [--scalar-steps 3] [--seed 0]
"""

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_variable] = "1"  # before NumPy loads its BLAS: one thread each

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

TORCH_VERSION = "2.13.0"
HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
TURN = 10  # steps a contestant runs before the next one's turn


def run_in_benchmark_venv():
    """Re-run this script with benchmarks/.venv's Python (holding torch), creating it once."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():  # already there, and still no torch
        sys.exit(f"torch=={TORCH_VERSION} is missing from {VENV}: delete the folder and run again")
    if not python.exists():
        print(f"Creating {VENV} with torch=={TORCH_VERSION} and annlib (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        f"torch=={TORCH_VERSION}", "-e", str(HERE.parent)], check=True)
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


try:
    import torch
    import torch.nn.functional as F
except ImportError:
    run_in_benchmark_venv()

import numpy as np  # noqa: E402

import annlib  # noqa: E402
import annlib.nn  # noqa: E402
from annlib.data import batches, load_digits  # noqa: E402
from annlib.losses import cross_entropy as scalar_cross_entropy  # noqa: E402
from annlib.optim import SGD  # noqa: E402
from annlib.tensor import MLP, cross_entropy  # noqa: E402

LR = 0.1


# --- one training step, written for each contestant ------------------------------------

class AnnlibTensor:
    name = "annlib.tensor"

    def __init__(self, weights):
        self.model = MLP(64, [64, 10], random_state=0)
        for p, w in zip(self.model.parameters(), weights):
            p.data[...] = w
        self.optimizer = SGD(self.model.parameters(), lr=LR)

    def step(self, X, y):
        loss = cross_entropy(self.model(X), y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()


class PyTorch:
    name = f"PyTorch {torch.__version__}"

    def __init__(self, weights):
        self.net = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(),
                                       torch.nn.Linear(64, 10)).double()
        with torch.no_grad():
            for p, w in zip(self.net.parameters(), weights):  # W1, b1, W2, b2 as annlib's
                p.copy_(torch.from_numpy(w))
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=LR)

    def step(self, X, y):
        loss = F.cross_entropy(self.net(X), y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()


class NumPyByHand:
    name = "NumPy by hand (no autograd)"

    def __init__(self, weights):
        self.W1, self.b1, self.W2, self.b2 = (w.copy() for w in weights)

    def step(self, X, y):
        n = len(y)
        z1 = X @ self.W1.T + self.b1                      # (n, 64)
        a1 = np.maximum(z1, 0.0)
        z2 = a1 @ self.W2.T + self.b2                     # (n, 10)
        shifted = z2 - z2.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(n)
        loss = -logp[rows, y].sum() / n
        dz2 = np.exp(logp)                                # (P - Y) / n
        dz2[rows, y] -= 1.0
        dz2 /= n
        dW2, db2 = dz2.T @ a1, dz2.sum(axis=0)
        dz1 = np.where(z1 > 0, dz2 @ self.W2, 0.0)        # error through W2^T, times relu'
        dW1, db1 = dz1.T @ X, dz1.sum(axis=0)
        self.W1 -= LR * dW1
        self.b1 -= LR * db1
        self.W2 -= LR * dW2
        self.b2 -= LR * db2
        return float(loss)


class Scalar:
    name = "annlib.nn (scalar Values)"

    def __init__(self, weights):
        self.model = annlib.nn.MLP(64, [64, 10], random_state=0)
        W1, b1, W2, b2 = weights
        for layer, W, b in zip(self.model.layers, (W1, W2), (b1, b2)):
            for neuron, row, bias in zip(layer.neurons, W, b):
                for w, value in zip(neuron.w, row):
                    w.data = float(value)
                neuron.b.data = float(bias)
        self.optimizer = SGD(self.model.parameters(), lr=LR)

    def step(self, X, y):
        loss = scalar_cross_entropy([self.model(x) for x in X], y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.data


class Timings:
    def __init__(self, contestant):
        self.contestant, self.cpu, self.wall, self.losses = contestant, [], [], []

    def run(self, batch_list):
        for X, y in batch_list:
            cpu, wall = time.process_time(), time.perf_counter()
            loss = self.contestant.step(X, y)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            self.cpu.append(cpu)
            self.wall.append(wall)
            self.losses.append(loss)


def race(entries):
    """Run every (contestant, its batches) entry, TURN steps at a time in rotating order."""
    timings = [(Timings(contestant), batch_list) for contestant, batch_list in entries]
    for turn, start in enumerate(range(0, len(entries[0][1]), TURN)):
        shift = turn % len(timings)
        for t, batch_list in timings[shift:] + timings[:shift]:
            t.run(batch_list[start:start + TURN])
    return [t for t, _ in timings]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full-steps", type=int, default=200, help="full-batch steps timed")
    parser.add_argument("--mini-steps", type=int, default=2000, help="mini-batch steps timed")
    parser.add_argument("--scalar-steps", type=int, default=3,
                        help="steps of the scalar engine at each batch size (slow)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and batches")
    args = parser.parse_args()
    torch.set_num_threads(1)

    X, y = load_digits()
    X = X / 16.0  # pixels 0..16 -> 0..1
    weights = [p.data.copy() for p in MLP(64, [64, 10], random_state=args.seed).parameters()]

    mini = []
    epoch = 0
    while len(mini) < args.mini_steps:
        mini += batches(X, y, batch_size=32, shuffle=True, random_state=args.seed + epoch)
        epoch += 1
    mini = [(Xb, yb) for Xb, yb in mini[:args.mini_steps] if len(yb) == 32]
    workloads = {"full batch (1,797)": [(X, y)] * args.full_steps, "mini-batch (32)": mini}

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"torch {torch.__version__}, annlib {annlib.__version__}; "
          f"{os.cpu_count()} CPU cores, one thread each")
    rows = []
    for label, batch_list in workloads.items():
        print(f"{label}: {len(batch_list)} steps each, turns of {TURN} ...", flush=True)
        # each gets its inputs made in advance: NumPy arrays, or torch tensors sharing them
        as_torch = [(torch.from_numpy(Xb), torch.from_numpy(yb)) for Xb, yb in batch_list]
        timings = race([(AnnlibTensor(weights), batch_list), (PyTorch(weights), as_torch),
                        (NumPyByHand(weights), batch_list)])
        scalar_timings = Timings(Scalar(weights))
        scalar_timings.run([(Xb.tolist(), yb.tolist())
                            for Xb, yb in batch_list[:args.scalar_steps]])
        worst = max(abs(a - b) / abs(b) for t in timings[1:] + [scalar_timings]
                    for a, b in zip(timings[0].losses, t.losses))
        rows.append((label, timings, scalar_timings, worst))

    print()
    print("| batch | contestant | median CPU ms/step | median wall ms/step | "
          "CPU time vs PyTorch | wall time vs PyTorch |")
    print("|---|---|---:|---:|---:|---:|")
    for label, timings, scalar_timings, worst in rows:
        torch_cpu = statistics.median(timings[1].cpu)
        torch_wall = statistics.median(timings[1].wall)
        for t in timings + [scalar_timings]:
            cpu, wall = statistics.median(t.cpu), statistics.median(t.wall)
            print(f"| {label} | {t.contestant.name} ({len(t.cpu)} steps) | {1e3 * cpu:.3f} "
                  f"| {1e3 * wall:.3f} | {cpu / torch_cpu:.2f}x | {wall / torch_wall:.2f}x |")
    print()
    for label, timings, scalar_timings, worst in rows:
        speedup = statistics.median(scalar_timings.cpu) / statistics.median(timings[0].cpu)
        print(f"{label}: annlib.tensor {speedup:.0f}x faster than the scalar engine (CPU time); "
              f"largest relative difference between the contestants' losses over all steps: "
              f"{worst:.1e}; final loss {timings[0].losses[-1]:.4f}")
    if max(worst for *_, worst in rows) > 1e-9:
        sys.exit("the contestants' losses disagree: the workloads are not the same")


if __name__ == "__main__":
    main()
