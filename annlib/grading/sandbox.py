"""The process that runs a learner's notebook in a class-mode graded run (untrusted side).

``annlib.grading.classmode`` (the trusted side) starts one such process per exercise,
``python -I -c ...``, with a copy of annlib that has no checks modules on its path and
an empty working folder, and sends it on stdin everything it needs. The process:

1. before any learner code: reads its orders, loads private copies of the grading
   machinery, notes the code of every function the exercise forbids, and installs an
   audit hook (PEP 578, which cannot be removed) that refuses what could change how the
   answer is checked: reading the course's files (the answer key, the checks), frame and
   garbage-collector introspection (the harness's locals), creating or swapping code
   objects, setting profile or trace functions, starting processes, importing ctypes;
2. runs the notebook's code cells in order (``%`` and ``!`` lines dropped), with
   ``check`` only recording each answer;
3. loads the chapter's checks privately, installs a profile hook that ends the process
   with exit status 77 the moment any reference answer, catalogued mistake or forbidden
   function starts running, then runs the exercise's cases (public and hidden) on the
   learner's answer and writes each outcome, as JSON, to the grader.

Only outcomes leave this process: the grader computes the expected values itself and
decides. Every line it accepts carries a nonce that no learner code can read, so a
notebook cannot forge a report; it could only garble one, which scores 0.
"""

import builtins
import importlib.util
import json
import math
import os
import sys
import tempfile

_DENIED_EVENTS = {
    "sys._getframe", "sys._current_frames", "sys.settrace", "gc.get_objects",
    "gc.get_referrers", "gc.get_referents", "code.__new__", "function.__new__",
    "marshal.dumps", "marshal.loads", "marshal.load", "os.system", "os.fork", "os.forkpty", "os.exec",
    "os.posix_spawn", "os.spawn", "subprocess.Popen", "os.link", "sqlite3.connect",
    "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata",
}
_DENIED_ATTRIBUTES = {"tb_frame", "gi_frame", "cr_frame", "ag_frame", "__code__"}
_GUARDED_ATTRIBUTES = {"__defaults__", "__kwdefaults__", "__code__"}
_DENIED_MODULES = {"ctypes", "_ctypes", "_xxsubinterpreters", "_testcapi", "_testinternalcapi"}
_PRIVATE_STDLIB = ("copy",)  # what the harness relies on to compare arguments
TRIPPED = 77  # exit status: a forbidden or reference function started running


class Refused(ValueError):
    """What the audit hook raises (a ValueError, which stdlib code that peeks at frames
    already tolerates: namedtuple, logging, typing)."""


CHECKS_PREFIX, GRADING_PREFIX = "<checks of ", "<annlib.grading."


def _audit_hook(protected, budget, guarded):
    """The hook: refuses the events above; `budget` counts the profile functions allowed,
    `guarded` holds the objects (the profile function) whose defaults may not change.

    `protected` is (folders never readable, folders readable inside them, folders
    otherwise unreadable): the installed annlib; this Python's own installation (a
    virtual environment may live in the course folder); the course folder.
    """
    realpath, fspath, sep = os.path.realpath, os.fsdecode, os.sep
    never, allowed, course = (tuple(realpath(p) for p in group) for group in protected)

    def under(text, roots):
        return any(text == root or text.startswith(root + sep) for root in roots)

    def inside(path):
        try:
            text = realpath(fspath(path))
        except Exception:
            return False
        if text.startswith("/proc/") and text.endswith("/mem"):
            return True
        return under(text, never) or (under(text, course) and not under(text, allowed))

    def hook(event, args):
        if event in ("open", "os.listdir", "os.scandir", "glob.glob", "shutil.copyfile"):
            if args and not isinstance(args[0], int) and args[0] is not None and inside(args[0]):
                raise Refused(f"a graded run does not let notebooks read {args[0]}")
        elif event == "sys.setprofile":
            if budget[0] <= 0:
                raise Refused("a graded run does not let notebooks set a profile function")
            budget[0] -= 1
        elif event in _DENIED_EVENTS:
            raise Refused(f"a graded run does not allow {event}")
        elif event == "import" and args and str(args[0]).partition(".")[0] in _DENIED_MODULES:
            raise Refused(f"a graded run does not allow importing {args[0]}")
        elif event == "object.__setattr__" and len(args) > 1 \
                and args[1] in _GUARDED_ATTRIBUTES and any(args[0] is g for g in guarded):
            raise Refused("a graded run does not let notebooks change the grader's hook")
        elif event in ("object.__getattr__", "object.__setattr__") and len(args) > 1 \
                and args[1] in _DENIED_ATTRIBUTES:
            if event == "object.__getattr__" and args[1] == "__code__":
                return  # reading is harmless: a copy would be the same code, and trips
            raise Refused(f"a graded run does not allow {event} of {args[1]}")
    return hook


def _tripwire(codes, builtins_refused, write, exit_now, out, dumps):
    """A profile function: ends the process when a forbidden code object starts running.

    `codes` is a read-only mapping {code object: what it is}: the forbidden functions,
    the reference answers and the catalogued mistakes. (The checks' other functions are
    not watched: the cases hand some of them to the answer, which calls them.) Everything the function
    uses is bound as a default argument, which learner code cannot replace (setting
    ``__defaults__`` is refused), and none of it is secret: the exit status is the
    signal the grader trusts, the line written before it only names the function.
    """
    def profile(frame, event, arg, codes=codes, refused=builtins_refused, write=write,
                exit_now=exit_now, out=out, dumps=dumps):
        if event == "call" and frame.f_code in codes:
            name = codes[frame.f_code]
        elif event == "c_call" and arg in refused:
            name = "a new thread"
        else:
            return
        try:
            write(out, (dumps({"k": "tripped", "name": name}) + "\n").encode())
        finally:
            exit_now(TRIPPED)
    return profile


def _load_private(name, source, filename, package, modules):
    """Execute `source` as module `name` without putting it in sys.modules.

    Relative imports of the other private modules (``.core``, ``.common``) resolve to
    `modules`, so what a notebook did to the shared ones cannot reach it.
    """
    import types
    module = types.ModuleType(name)
    module.__package__ = package
    module.__file__ = filename
    real_import = builtins.__import__

    def private_import(target, globals=None, locals=None, fromlist=(), level=0):
        if level == 1 and target in modules:
            return modules[target]
        if level == 0 and target in _PRIVATE_STDLIB and target in modules:
            return modules[target]
        return real_import(target, globals, locals, fromlist, level)

    module.__dict__["__builtins__"] = dict(vars(builtins), __import__=private_import)
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


def encode(value):
    """Plain data (after core.plain) as JSON, tuples/dicts/complex/odd floats tagged."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {type(value).__name__: [encode(v) for v in value]}
    if isinstance(value, complex):
        return {"complex": [encode(value.real), encode(value.imag)]}
    text = getattr(value, "text", None)
    return {"opaque": text if isinstance(text, str) else repr(type(value).__name__)}


def main():
    order = json.loads(sys.stdin.read())
    sys.stdin.close()
    out, nonce = order["fd"], order["nonce"]
    write, exit_now, dumps = os.write, os._exit, json.dumps

    def send(message):
        write(out, (nonce + dumps(message) + "\n").encode())

    # --- 1. before any learner code -------------------------------------------------
    import _thread
    import random
    import types

    # Python 3.10's code.replace() raises the refused "code.__new__" event, and asyncio
    # calls it (types.coroutine) when first imported, as IPython and matplotlib do.
    import asyncio  # noqa: F401

    import annlib  # this process's copy: no checks modules next to it
    import annlib.engine
    import annlib.grading
    from annlib.grading import core as shared_core
    for name in order.get("preload", []):
        try:
            __import__(name)
        except Exception:
            pass
    grading_dir = os.path.dirname(shared_core.__file__)
    modules = {}
    for name in _PRIVATE_STDLIB:  # the checks' own copies, which no notebook can patch
        spec = importlib.util.find_spec(name)
        with open(spec.origin, encoding="utf-8") as file:
            modules[name] = _load_private(name, file.read(), f"{GRADING_PREFIX}{name}>", "",
                                          modules)
    for part in ("core", "common"):
        with open(os.path.join(grading_dir, part + ".py"), encoding="utf-8") as file:
            source = file.read()
        modules[part] = _load_private(f"annlib.grading.{part}", source,
                                      f"<annlib.grading.{part}>", "annlib.grading", modules)
    core = modules["core"]
    core._learner_line = lambda tb: ""  # tracebacks' frames are closed to everyone here
    forbidden = {}
    for dotted in order["forbidden"]:
        target = core._resolve(dotted)
        function = target.__init__ if isinstance(target, type) else target
        forbidden[function.__code__] = dotted
    threads = {_thread.start_new_thread, getattr(_thread, "start_new", None),
               getattr(_thread, "start_joinable_thread", None)} - {None}  # 3.13: Thread.start
    budget, guarded = [1], []  # one profile function: the harness's
    # imports compile sources, so marshal (which could build code objects) is never needed
    sys.dont_write_bytecode = True
    sys.pycache_prefix = tempfile.mkdtemp(prefix="annlib-no-pyc-")
    sys.addaudithook(_audit_hook(order["protected"], budget, guarded))

    # --- 2. the notebook ------------------------------------------------------------
    answers = {}

    def record(exercise_id, answer, **_):
        answers[str(exercise_id)] = answer

    def no_hint(*args, **kwargs):
        print("Hints are not available in a graded run.")

    annlib.grading.check = shared_core.check = record
    annlib.grading.hint = shared_core.hint = no_hint
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    errors = []
    sink = core._Capture()
    real_stdout, real_stderr = sys.stdout, sys.stderr
    for index, source in order["cells"]:
        lines = [line for line in source.splitlines()
                 if not line.lstrip().startswith(("%", "!"))]
        sys.stdout = sys.stderr = sink
        try:
            exec(compile("\n".join(lines), f"<cell {index}>", "exec"), namespace)
        except BaseException as exc:  # a learner's cell failed: go on, as a notebook does
            if not isinstance(exc, Exception) and not isinstance(exc, core._OutputFlood):
                if isinstance(exc, SystemExit):
                    errors.append([index, "SystemExit", str(exc)[:200]])
                    continue
                raise
            errors.append([index, type(exc).__name__, str(exc)[:200]])
        finally:
            sys.stdout, sys.stderr = real_stdout, real_stderr
            sink.flooded, sink.lines, sink.chars = False, 0, 0
    send({"k": "cells", "errors": errors})

    # --- 3. the checks ----------------------------------------------------------------
    if _thread._count() > 0:
        send({"k": "refused", "why": "a thread the notebook started was still running when "
                                     "the checks began"})
        exit_now(0)
    saved, core._REGISTRY = core._REGISTRY, {}
    _load_private(order["module"], order["checks"], f"{CHECKS_PREFIX}{order['module']}>",
                  "annlib.grading", modules)
    registry, core._REGISTRY = core._REGISTRY, saved
    ex = registry[order["exercise"]]
    for other in registry.values():
        for function in [other.reference] + [m.answer for m in other.mistakes]:
            code = getattr(function, "__code__", None)
            if code is not None and code.co_filename.startswith(CHECKS_PREFIX):
                forbidden[code] = f"reference:{other.id}"
    armed = types.MappingProxyType(forbidden)  # read-only; the dict itself stays here
    ex._forbidden_code = {}  # the profile hook below watches instead, for the whole run
    ex.forbidden = {}
    if order["hidden_seed"] and ex.random_cases is not None:
        rng = random.Random(order["hidden_seed"])
        ex.cases = ex.cases + [tuple(c) for c in ex.random_cases(rng)]
    name = order.get("name")
    answer = answers.get(ex.id, namespace.get(name) if name else None)
    if ex.id not in answers and (name is None or name not in namespace):
        send({"k": "missing"})
        exit_now(0)
    early = core._precheck(ex, answer)
    if early is not None:
        send({"k": "pre", "verdict": early[0], "feedback": early[1]})
        exit_now(0)
    profile = _tripwire(armed, frozenset(threads), write, exit_now, out, dumps)
    guarded.append(profile)
    try:
        sys.setprofile(profile)
    except Refused:
        send({"k": "refused", "why": "the notebook set a profile function of its own"})
        exit_now(0)
    if sys.getprofile() is not profile:
        send({"k": "refused", "why": "the profile function could not be installed"})
        exit_now(0)
    capture = core._Capture()
    sys.stdout = sys.stderr = capture
    try:
        run = core._run_cases_inline(ex, answer)
    finally:
        sys.stdout, sys.stderr = real_stdout, real_stderr
    for outcome in run.outcomes:
        send({"k": "outcome", "ok": outcome.ok, "value": encode(outcome.value),
              "error": list(outcome.error) if outcome.error else None,
              "low": bool(outcome.low_precision)})
    send({"k": "done", "status": run.status, "detail": run.detail,
          "lines": capture.lines, "chars": capture.chars,
          "head": capture.first_lines(), "flooded": capture.flooded,
          "cases": len(ex.cases)})
    exit_now(0)
