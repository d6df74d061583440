"""annlib against micrograd 0.1.0 on micrograd's own demo, in one run.

The workload is the training loop of micrograd's ``demo.ipynb``:

* model: MLP(2, [16, 16, 1]), ReLU hidden layers, linear output (337 parameters),
  initialised as micrograd does (weights uniform in [-1, 1], biases 0);
* data: 100 two-moons points (noise 0.1, fixed seed), labels -1/+1, full batch;
* loss: mean SVM max-margin loss relu(1 - y * score) + 1e-4 * sum of squared parameters;
* update: SGD with lr = 1.0 - 0.9 * k / 100 at step k.

Both engines get the SAME data (as Python floats) and the SAME initial weights
(micrograd's, copied into annlib's model), so they do the same arithmetic; the
script checks that their losses agree at every step.

Three contestants, each running the demo's loop:

1. annlib, as shipped (the garbage collector on, as always);
2. micrograd 0.1.0 as published (collector on);
3. micrograd with the collector disabled during each step (its best case; the
   collector then runs, untimed, between steps).

As in the demo, the previous step's loss (and so its graph) stays referenced
until the next step has built its own, and whatever a step leaves behind is
collected inside later steps. The contestants take turns, ten steps at a time,
so that a busy machine slows all of them alike; after each turn the last graph
is dropped and the heap collected (untimed), so that no contestant's collector
scans or frees another's objects.

Reported: the median time of one step (CPU time of this process, and wall-clock
time), the ratios, and the peak memory allocated during one step (tracemalloc,
in separate, untimed steps).

micrograd is never a course dependency: the first run installs
micrograd==0.1.0 from PyPI into ``benchmarks/.deps/`` (ignored by git) and
imports it from there.

Usage:  ./course benchmark [--steps 100] [--memory-steps 3] [--seed 0]
   or:  python benchmarks/bench_micrograd.py [...]
"""

import argparse
import gc
import importlib.metadata
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import annlib
from annlib.data import make_moons
from annlib.engine import total
from annlib.losses import hinge
from annlib.nn import MLP
from annlib.optim import SGD

MICROGRAD_VERSION = "0.1.0"
DEPS = Path(__file__).resolve().parent / ".deps"
TURN = 10  # steps a contestant runs before the next one's turn


def import_micrograd():
    """Import micrograd==0.1.0 from benchmarks/.deps, installing it there on first use."""
    found = [d.version for d in importlib.metadata.distributions(path=[str(DEPS)])
             if d.metadata["Name"] == "micrograd"]
    if found != [MICROGRAD_VERSION]:
        print(f"Installing micrograd=={MICROGRAD_VERSION} into {DEPS} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--upgrade", "--target", str(DEPS), f"micrograd=={MICROGRAD_VERSION}"],
                       check=True)
    sys.path.insert(0, str(DEPS))
    import micrograd.engine
    import micrograd.nn
    if not micrograd.__file__.startswith(str(DEPS)):
        sys.exit(f"expected micrograd from {DEPS}, got {micrograd.__file__}")
    return micrograd


# --- one training step of the demo, written for each engine -------------------------

def annlib_step(model, optimizer, X, y, k):
    scores = [model(x) for x in X]
    loss = hinge(scores, y) + 1e-4 * total([p * p for p in optimizer.params])
    optimizer.zero_grad()
    loss.backward()
    optimizer.lr = 1.0 - 0.9 * k / 100
    optimizer.step()
    return loss


def micrograd_step(mg, model, X, y, k):
    # micrograd's demo.ipynb, line for line
    inputs = [list(map(mg.engine.Value, x)) for x in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    loss = data_loss + reg_loss
    model.zero_grad()
    loss.backward()
    lr = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss


class Contestant:
    """One engine's training loop, run a few steps at a time, every step timed."""

    def __init__(self, name, step, collector_on):
        self.name, self.step, self.collector_on = name, step, collector_on
        self.cpu, self.wall, self.losses = [], [], []
        self.loss = None  # the last step's loss: its graph lives until the next step's is built

    def train(self, steps):
        for k in steps:
            if not self.collector_on:
                gc.disable()
            cpu, wall = time.process_time(), time.perf_counter()
            self.loss = self.step(k)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            gc.enable()
            if not self.collector_on:
                gc.collect()
            self.cpu.append(cpu)
            self.wall.append(wall)
            self.losses.append(self.loss.data)
        self.loss = None  # the next contestant's collector must not scan this graph
        gc.collect()

    def peak_memory(self, k):
        """Bytes allocated at the peak of one step, above what was allocated before it."""
        self.loss = None
        gc.collect()
        if not self.collector_on:
            gc.disable()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        loss = self.step(k)
        peak = tracemalloc.get_traced_memory()[1] - before
        tracemalloc.stop()
        del loss
        gc.enable()
        gc.collect()
        return peak


def accuracy(scores, y):
    return sum((s > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100, help="training steps timed (demo: 100)")
    parser.add_argument("--memory-steps", type=int, default=3,
                        help="extra steps measured with tracemalloc (untimed)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the weights")
    args = parser.parse_args()
    mg = import_micrograd()

    X, y = make_moons(n_samples=100, noise=0.1, random_state=args.seed)
    X = X.tolist()                        # Python floats for both engines
    y = [2.0 * t - 1.0 for t in y.tolist()]

    random.seed(args.seed)                # micrograd draws its weights from `random`
    mg_on = mg.nn.MLP(2, [16, 16, 1])
    mg_off = mg.nn.MLP(2, [16, 16, 1])
    model = MLP(2, [16, 16, 1], activation="relu")
    optimizer = SGD(model.parameters(), lr=1.0)
    assert len(optimizer.params) == len(mg_on.parameters()) == 337
    for mine, theirs, twin in zip(optimizer.params, mg_on.parameters(), mg_off.parameters()):
        mine.data = twin.data = theirs.data = float(theirs.data)  # the same starting weights

    contestants = [
        Contestant("annlib", lambda k: annlib_step(model, optimizer, X, y, k), True),
        Contestant("micrograd (gc on)", lambda k: micrograd_step(mg, mg_on, X, y, k), True),
        Contestant("micrograd (gc off)", lambda k: micrograd_step(mg, mg_off, X, y, k), False),
    ]
    print(f"Training {len(contestants)} times for {args.steps} steps, "
          f"taking turns of {TURN} steps ...", flush=True)
    for start in range(0, args.steps, TURN):
        for contestant in contestants:
            contestant.train(range(start, min(start + TURN, args.steps)))
        print(f"  {min(start + TURN, args.steps)}/{args.steps} steps", flush=True)
    final_accuracy = {
        "annlib": accuracy([model(x).data for x in X], y),
        "micrograd": accuracy([mg_on(list(map(mg.engine.Value, x))).data for x in X], y),
    }

    print(f"Measuring peak memory over {args.memory_steps} more steps of each ...", flush=True)
    peak = {c.name: statistics.median(c.peak_memory(args.steps + i)
                                      for i in range(args.memory_steps))
            for c in contestants}

    annlib_run, *micrograd_runs = contestants
    # The same arithmetic, summed in a different order: the losses agree to rounding.
    worst = max(abs(a - b) / abs(b) for run in micrograd_runs
                for a, b in zip(annlib_run.losses, run.losses))
    print()
    print(f"Python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} CPU cores; annlib {annlib.__version__}, micrograd {MICROGRAD_VERSION}")
    print(f"{args.steps} steps; final loss: annlib {annlib_run.losses[-1]:.6f}, "
          f"micrograd {micrograd_runs[0].losses[-1]:.6f} "
          f"(largest relative difference over all steps: {worst:.1e}); "
          f"training accuracy: annlib {final_accuracy['annlib']:.0%}, "
          f"micrograd {final_accuracy['micrograd']:.0%}")
    print()
    print("| engine | median CPU ms/step | median wall ms/step | peak MB/step |")
    print("|---|---:|---:|---:|")
    for c in contestants:
        print(f"| {c.name} | {1e3 * statistics.median(c.cpu):.1f} "
              f"| {1e3 * statistics.median(c.wall):.1f} | {peak[c.name] / 2**20:.2f} |")
    print()
    cpu, wall = statistics.median(annlib_run.cpu), statistics.median(annlib_run.wall)
    for run in micrograd_runs:
        print(f"annlib vs {run.name}: {statistics.median(run.cpu) / cpu:.1f}x faster in CPU time "
              f"({statistics.median(run.wall) / wall:.1f}x in wall time), "
              f"1/{peak[run.name] / peak['annlib']:.1f} of its peak memory per step")
    if worst > 1e-6:
        sys.exit("the two engines' losses disagree: the workloads are not the same")


if __name__ == "__main__":
    main()
