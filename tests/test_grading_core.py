"""annlib.grading.core: the catalogue of every registered exercise, and the sandbox.

The first tests run over the whole registry (every chapter): each wrong answer of
each exercise's catalogue is rejected with its own feedback, each stub is "not
attempted yet", each solution passes with full points. The rest prove the
machinery on small exercises registered here (chapter 99, removed afterwards).
"""

import math
import os
import sys
import time
from pathlib import Path

import pytest

from annlib.grading import Result, check, core, exercises, hint
from annlib.grading.core import BadAnswer, Mistake, exercise

REGISTRY = core.registry()
MISTAKES = [(ex.id, m.name) for ex in REGISTRY for m in ex.mistakes]


def test_every_chapters_checks_load_and_each_chapter_has_its_module():
    assert core.BANK_ERRORS == {}
    chapters = sorted(path.name[:2] for path in (Path(__file__).resolve().parents[1] / "chapters").glob("[0-9][0-9]_*.ipynb"))
    assert core.BANKS == tuple(f"chapter_{number}" for number in chapters)
    for exercise in REGISTRY:  # a chapter's checks are found under the chapter's number
        assert exercise.reference.__module__ == f"annlib.grading.chapter_{exercise.id[:2]}", exercise.id


def test_registry_is_not_empty_and_sorted():
    ids = [ex.id for ex in REGISTRY]
    assert len(ids) >= 15
    assert ids == sorted(ids, key=lambda i: (int(i[:2]), int(i[3:])))


# --- the catalogue, over every registered exercise ----------------------------------

@pytest.mark.parametrize("exercise_id, name", MISTAKES)
def test_catalogued_wrong_answer_is_rejected_with_its_feedback(exercise_id, name):
    ex = core.get_exercise(exercise_id)
    mistake = next(m for m in ex.mistakes if m.name == name)
    result = check(exercise_id, mistake.answer, show=False)
    assert result.verdict == mistake.verdict, result.feedback
    assert mistake.fragment in result.feedback
    assert not result.passed and result.score == 0 and result.max_score == ex.points
    # recognised as itself, not as another misconception of the catalogue
    confused = [o.name for o in ex.mistakes if o.feedback and o.feedback != mistake.feedback
                and o.feedback in result.feedback]
    assert not confused


@pytest.mark.parametrize("exercise_id", [ex.id for ex in REGISTRY])
def test_solution_passes_with_full_points(exercise_id):
    ex = core.get_exercise(exercise_id)
    result = check(exercise_id, ex.solution, show=False)
    assert result.verdict == "passed", result.feedback
    assert result.passed and result.score == result.max_score == ex.points


@pytest.mark.parametrize("exercise_id", [ex.id for ex in REGISTRY])
def test_stubs_are_not_attempted_yet(exercise_id):
    ex = core.get_exercise(exercise_id)

    def stub(*args, **kwargs):
        raise NotImplementedError

    stubs = [None, ...] + ([stub] if ex.answer == "function" else [])
    for answer in stubs:
        result = check(exercise_id, answer, show=False)
        assert result.verdict == "not attempted", (answer, result.feedback)
        assert result.score == 0 and "Not attempted yet" in result.feedback


@pytest.mark.parametrize("exercise_id", [ex.id for ex in REGISTRY])
def test_exercise_is_well_formed(exercise_id):
    ex = core.get_exercise(exercise_id)
    assert ex.title and ex.points >= 1 and ex.hints
    recognised = [m for m in ex.mistakes if m.feedback]
    assert recognised, "every exercise names at least one misconception"
    feedbacks = [m.feedback for m in recognised]
    assert all(len(f) >= 30 for f in feedbacks), "feedback says what is wrong and why"
    # the reference agrees with itself on every case (cases are deterministic)
    assert ex.expected() == ex.expected()


def test_exercises_lists_id_chapter_title_points():
    listed = exercises()
    assert [e.id for e in listed] == [ex.id for ex in REGISTRY]
    first = listed[0]
    assert (first.id, first.chapter, first.title, first.points) == tuple(first)
    assert all(e.chapter == 1 for e in exercises(chapter=1)) and exercises(chapter=1)


# --- the machinery, on small exercises of chapter 99 ----------------------------------

@pytest.fixture
def toy():
    """Register 99.1 (a function) and 99.2 (a value); unregister them afterwards."""
    @exercise("99.1", "Double a number", points=2, time_limit=3.0,
              cases=[(1.0,), (0.0,), (-3.0,)],
              random_cases=lambda rng: [(rng.uniform(-5, 5),) for _ in range(5)],
              hints=["Multiply by 2.", "return 2 * x"])
    def double(x):
        return 2 * x

    @double.mistake("squared", "You squared x instead of doubling it.")
    def _(x):
        return x * x

    @double.mistake("plus_two", "You added 2: doubling multiplies by 2.")
    def _(x):
        return x + 2

    @exercise("99.2", "Pick a number", points=1, answer="value", parts=None,
              hints=["It is 13."], mistakes=[Mistake("twelve", 12, "Off by one.")])
    def number():
        return 13

    yield double
    for key in ("99.1", "99.2", "99.3"):
        core._REGISTRY.pop(key, None)
        core._hints_shown.pop(key, None)


@pytest.fixture(params=["fork", "thread", "inline"])
def isolation(request, monkeypatch):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", request.param)
    return request.param


def test_correct_answer_passes_in_every_isolation_mode(toy, isolation):
    result = check("99.1", lambda x: x * 2.0, show=False)
    assert result.passed and result.score == 2 and result.max_score == 2
    assert result.feedback == "Correct on all 8 test cases."


def test_recognised_mistake_names_it_and_shows_a_case(toy, isolation):
    result = check("99.1", lambda x: x ** 2, show=False)
    assert result.verdict == "wrong"
    assert result.feedback.startswith("You squared x instead of doubling it.")
    assert "double(x=1.0) returned 1.0; expected 2.0" in result.feedback
    assert result.hints == ["Multiply by 2."]


def test_unrecognised_wrong_answer_gets_the_first_differing_case(toy, isolation):
    result = check("99.1", lambda x: 3 * x, show=False)
    assert result.verdict == "wrong"
    assert "double(x=1.0) returned 3.0; expected 2.0" in result.feedback


def test_exception_names_type_line_and_input(toy, isolation):
    def double(x):
        return 2 * x / x

    result = check("99.1", double, show=False)
    assert result.verdict == "error"
    assert "ZeroDivisionError" in result.feedback
    assert "return 2 * x / x" in result.feedback
    assert "double(x=0.0)" in result.feedback


def test_stub_and_missing_answers_are_not_attempted(toy, isolation):
    def double(x):
        raise NotImplementedError

    for answer in (double, None, ...):
        assert check("99.1", answer, show=False).verdict == "not attempted"


def test_calling_the_function_instead_of_passing_it_is_explained(toy):
    result = check("99.1", 4.0, show=False)
    assert result.verdict == "wrong"
    assert "expects your function itself" in result.feedback


def test_learner_sees_fresh_inputs_each_case(toy, isolation):
    @exercise("99.3", "Sum a list", points=1, cases=[([1.0, 2.0],), ([1.0, 2.0],)],
              hints=["sum()"], pure=False)
    def total(values):
        return sum(values)

    def mutating(values):
        values.append(10.0)  # would corrupt the next case if inputs were shared
        return sum(values[:-1])

    assert check("99.3", mutating, show=False).passed
    assert ex_cases_unchanged(core.get_exercise("99.3"))


def ex_cases_unchanged(ex):
    return all(args == ([1.0, 2.0],) for args in ex.cases)


@pytest.mark.parametrize("mode", ["fork", "thread"])
def test_runaway_loop_gets_a_timeout_verdict_that_states_the_limit(toy, monkeypatch, mode):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", mode)
    monkeypatch.setattr(core.get_exercise("99.1"), "time_limit", 0.5)

    def double(x):
        end = time.monotonic() + 3.0  # bounded, so the thread fallback also ends
        while time.monotonic() < end:
            pass
        return 2 * x

    start = time.monotonic()
    result = check("99.1", double, show=False)
    assert time.monotonic() - start < 2.0
    assert result.verdict == "timeout" and result.score == 0
    assert "after 0.5 s" in result.feedback and "double(x=1.0)" in result.feedback


def test_fork_kills_an_endless_loop(toy, monkeypatch):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", "fork")
    monkeypatch.setattr(core.get_exercise("99.1"), "time_limit", 0.3)

    def double(x):
        while True:
            pass

    assert check("99.1", double, show=False).verdict == "timeout"
    # the child was killed and reaped: no grandchild process is left behind
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@pytest.mark.parametrize("mode", ["fork", "thread", "inline"])
def test_output_flood_is_captured_and_truncated(toy, monkeypatch, capfd, mode):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", mode)

    def double(x):
        for i in range(5000):
            print("debug line", i)
        return 2 * x

    result = check("99.1", double, show=False)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert result.verdict == "output flood" and result.score == 0
    assert "debug line 0" in result.feedback and "debug line 4999" not in result.feedback
    assert len(result.feedback) < 1500


@pytest.mark.parametrize("mode", ["fork", "thread", "inline"])
def test_endless_printing_stops_without_waiting_for_the_time_limit(toy, monkeypatch, capfd,
                                                                   mode):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", mode)

    def double(x):
        while True:
            print("spam")

    start = time.monotonic()
    result = check("99.1", double, show=False)
    assert result.verdict == "output flood"
    assert time.monotonic() - start < 2.0
    assert capfd.readouterr() == ("", "")


def test_a_bare_except_cannot_defeat_the_flood_limit(toy, monkeypatch, capfd):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", "fork")
    monkeypatch.setattr(core.get_exercise("99.1"), "time_limit", 0.5)

    def double(x):
        while True:
            try:
                print("spam")
            except:  # noqa: E722 - swallows the grader's stop signal, so only the limit ends it
                pass

    result = check("99.1", double, show=False)
    assert result.verdict == "output flood" and "  spam" in result.feedback
    assert capfd.readouterr() == ("", "")


def test_a_few_prints_and_file_descriptor_writes_never_reach_the_caller(toy, monkeypatch,
                                                                        capfd):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", "fork")

    def double(x):
        print("x is", x)
        os.write(1, b"raw write\n")
        return 2 * x

    assert check("99.1", double, show=False).passed
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("code", [0, 3])
def test_learner_code_that_ends_the_process_is_told_so_with_0_points(toy, monkeypatch, code):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", "fork")

    def double(x):
        if x < 0:
            os._exit(code)  # exit code 0 looks like success to the parent: still caught
        return 2 * x

    result = check("99.1", double, show=False)
    assert result.verdict == "error" and result.score == 0
    assert "was ended by your code (os._exit, sys.exit or exit()" in result.feedback
    assert "when called as double(x=-3.0)" in result.feedback
    assert "bug in annlib.grading" not in result.feedback


def test_sys_exit_in_learner_code_is_told_so(toy, monkeypatch):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", "fork")
    result = check("99.1", lambda x: exit(), show=False)
    assert result.verdict == "error" and "was ended by your code" in result.feedback


def test_unpicklable_return_value_is_reported_not_crashed(toy, monkeypatch):
    monkeypatch.setenv("ANNLIB_GRADING_ISOLATION", "fork")
    result = check("99.1", lambda x: (v for v in [x]), show=False)
    assert result.verdict == "wrong" and "generator" in result.feedback


def test_grader_bug_is_an_internal_error_not_a_traceback(toy):
    @exercise("99.3", "Broken reference", points=1, cases=[(1,)], hints=["-"])
    def broken(x):
        raise KeyError("oops")

    result = check("99.3", lambda x: x, show=False)
    assert result.verdict == "internal error"
    assert "bug in annlib.grading, not in your answer" in result.feedback
    assert "KeyError" in result.feedback


def test_unknown_id_lists_the_chapter(toy):
    result = check("99.7", lambda x: x, show=False)
    assert result.verdict == "unknown exercise"
    assert "99.1, 99.2" in result.feedback and result.max_score == 0


def test_value_answer_never_reveals_the_expected_value(toy):
    result = check("99.2", 14, show=False)
    assert result.verdict == "wrong" and "13" not in result.feedback
    recognised = check("99.2", 12, show=False)
    assert recognised.feedback.startswith("Off by one.") and "13" not in recognised.feedback
    assert check("99.2", 13.0, show=False).passed


def test_parts_say_which_part_is_wrong_without_values(toy):
    @exercise("99.3", "Two numbers", points=1, answer="value", parts=("z", "a"),
              hints=["-"])
    def pair():
        return (-0.4, 0.0)

    assert check("99.3", (-0.4, 0), show=False).passed
    wrong = check("99.3", (-0.4, 0.5), show=False)
    assert "z is right, a is not" in wrong.feedback and "0.0" not in wrong.feedback
    assert "tuple (z, a) of 2 parts" in check("99.3", -0.4, show=False).feedback
    assert check("99.3", (..., ...), show=False).verdict == "not attempted"
    assert "a is still ..." in check("99.3", (-0.4, ...), show=False).feedback


def test_bad_answer_from_prepare_is_wrong_with_its_message(toy):
    def weights(answer):
        if len(answer) != 2:
            raise BadAnswer(f"Expected two numbers, got {len(answer)}.")
        return lambda x: answer[0] * x + answer[1]

    @exercise("99.3", "A line", points=1, answer="value", prepare=weights,
              solution=(2.0, 0.0), cases=[(1.0,), (2.0,)], hints=["-"])
    def line(x):
        return 2 * x

    assert check("99.3", (2, 0), show=False).passed
    result = check("99.3", (1, 2, 3), show=False)
    assert (result.verdict, result.feedback) == ("wrong", "Expected two numbers, got 3.")
    result = check("99.3", (1.0, 0.0), show=False)
    assert "For x=1.0 your answer returned 1.0; expected 2.0" in result.feedback


def test_detect_receives_outcomes_expected_and_cases(toy):
    seen = {}

    def negative_only(outcomes, expected, cases):
        seen["n"] = (len(outcomes), len(expected), len(cases))
        return all(o.ok and (o.value == e or args[0] < 0)
                   for o, e, args in zip(outcomes, expected, cases))

    core.get_exercise("99.1").add_mistake(
        Mistake("abs_first", None, "Negative inputs go wrong.", detect=negative_only))
    result = check("99.1", lambda x: 2 * abs(x), show=False)
    assert result.feedback.startswith("Negative inputs go wrong.")
    assert seen["n"] == (8, 8, 8)


def test_check_never_writes_files(toy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for answer in (lambda x: 2 * x, lambda x: x * x, lambda x: 1 / 0, None):
        check("99.1", answer, show=False)
    assert list(tmp_path.iterdir()) == []


def test_verdict_text_is_deterministic(toy):
    texts = {check("99.1", lambda x: x * x, show=False).text() for _ in range(3)}
    assert len(texts) == 1


def test_result_bundle_has_html_plain_text_and_json(toy):
    result = check("99.1", lambda x: x + 2, show=False)
    bundle = result.bundle()
    assert set(bundle) == {"text/plain", "text/html", core.VERDICT_MIME}
    assert bundle[core.VERDICT_MIME] == {
        "exercise": "99.1", "title": "Double a number", "verdict": "wrong", "score": 0,
        "max_score": 2, "feedback": result.feedback}
    assert "You added 2" in bundle["text/html"] and "<script" not in bundle["text/html"]
    assert bundle["text/plain"].startswith("[WRONG] 99.1 Double a number: 0/2 points")
    assert "hint('99.1')" in bundle["text/plain"]


def test_html_escapes_learner_text(toy):
    result = check("99.1", lambda x: "<b>bold</b>", show=False)
    assert "<b>bold</b>" not in result.html() and "&lt;b&gt;" in result.html()


def test_check_prints_the_verdict_outside_a_notebook(toy, capsys):
    result = check("99.1", lambda x: 2 * x)
    assert isinstance(result, Result)
    assert capsys.readouterr().out.strip() == result.text()


def test_hint_reveals_one_more_hint_per_call(toy, capsys):
    hint("99.1")
    first = capsys.readouterr().out
    hint("99.1")
    second = capsys.readouterr().out
    assert "Hint 1 of 2" in first and "Hint 2 of 2" not in first
    assert "again for the next hint" in first
    assert "Hint 1 of 2" in second and "Hint 2 of 2 for 99.1 (Double a number): return 2 * x" in second
    hint("99.1", 1)
    assert "Hint 2 of 2" not in capsys.readouterr().out


@pytest.mark.parametrize("bad, message", [
    (dict(exercise_id="1.1"), "look like '01.2'"),
    (dict(points=0), "points must be a positive int"),
    (dict(hints=[]), "at least one hint"),
    (dict(answer="text"), "'function' or 'value'"),
])
def test_registration_errors_say_what_was_expected(bad, message):
    options = dict(exercise_id="98.1", title="t", reference=lambda x: x, points=1,
                   hints=["h"], cases=[(1,)])
    options.update(bad)
    with pytest.raises(ValueError, match=message):
        core.Exercise(options.pop("exercise_id"), options.pop("title"),
                      options.pop("reference"), **options)


def test_mistake_needs_feedback_or_an_expected_fragment():
    with pytest.raises(ValueError, match="needs feedback"):
        Mistake("vague", 1)


def test_close_compares_numbers_lists_and_nan():
    compare = core.close()
    assert compare(1.0, 1.0 + 1e-12) and not compare(1.0, 1.001)
    assert compare([1.0, [2.0]], (1.0, [2.0])) and not compare([1.0], [1.0, 2.0])
    assert compare(math.nan, math.nan) and not compare(math.nan, 1.0)
    assert not compare(True, 1) and compare("relu", "relu")


def test_plain_turns_numpy_and_values_into_python():
    np = pytest.importorskip("numpy")
    from annlib import Value

    assert core.plain(np.array([[1.0, 2.0]])) == [[1.0, 2.0]]
    assert type(core.plain(np.float64(0.5))) is float
    assert core.plain([Value(2.0), np.int64(3)]) == [2.0, 3]


# --- rules: arguments left alone, the same result twice, forbidden helpers ------------------

@pytest.fixture
def toy_list():
    """99.3: the sum of a list (pure by default: a function answer without prepare)."""
    @exercise("99.3", "Sum a list", points=1, cases=[([1.0, 2.0],), ([0.5, 0.25, 4.0],)],
              hints=["sum()"])
    def total(values):
        return sum(values)

    yield total
    core._REGISTRY.pop("99.3", None)


def test_a_function_that_changes_its_argument_is_wrong_and_says_which(toy_list, isolation):
    def total(values):
        values.append(0.0)  # the sum is still right
        return sum(values)

    result = check("99.3", total, show=False)
    assert result.verdict == "wrong" and result.score == 0
    assert result.feedback.startswith("Your function changes the arguments it is given.")
    assert ("total(values=[1.0, 2.0]) changed its argument values from [1.0, 2.0] to "
            "[1.0, 2.0, 0.0]") in result.feedback


def test_a_second_call_with_the_same_arguments_must_agree(toy_list, isolation):
    calls = []

    def total(values):
        calls.append(1)  # hidden state: every call adds more
        return sum(values) + len(calls) - 1 if len(calls) % 2 == 0 else sum(values)

    result = check("99.3", total, show=False)
    assert result.verdict == "wrong"
    assert "gives another result when it is called again" in result.feedback
    assert "total(values=[1.0, 2.0]) returned 3.0 the first time and " in result.feedback


def test_an_exercise_can_allow_changed_arguments(toy_list):
    core.get_exercise("99.3").pure = False
    assert check("99.3", lambda values: values.pop() + sum(values), show=False).passed


@pytest.fixture
def toy_forbidden():
    """99.3: the MSE of two lists, without annlib.losses.mse nor annlib's Value."""
    @exercise("99.3", "Mean squared error by hand", points=1,
              cases=[([1.0, 2.0], [1.5, 2.0]), ([0.0], [3.0])], hints=["-"],
              forbidden={"annlib.losses.mse": "write the mean of the squared errors yourself",
                         "annlib.engine.Value": "plain floats, no autograd"})
    def mse(y_pred, y):
        return sum((p - t) ** 2 for p, t in zip(y_pred, y)) / len(y)

    yield mse
    core._REGISTRY.pop("99.3", None)


def _aliased_mse(y_pred, y):
    from annlib.losses import mse as helper
    return helper(y_pred, y).data


def _swallowed_mse(y_pred, y):
    from annlib import losses
    try:
        losses.mse(y_pred, y)
    except Exception:
        pass
    return sum((p - t) ** 2 for p, t in zip(y_pred, y)) / len(y)


def _value_mse(y_pred, y):
    from annlib import Value
    return sum((Value(p) - t) ** 2 for p, t in zip(y_pred, y)).data / len(y)


@pytest.mark.parametrize("answer, name", [
    (lambda y_pred, y: __import__("annlib").losses.mse(y_pred, y), "annlib.losses.mse"),
    (_aliased_mse, "annlib.losses.mse"),
    (_swallowed_mse, "annlib.losses.mse"),
    (_value_mse, "annlib.engine.Value"),
])
def test_a_forbidden_helper_is_refused_however_it_is_reached(toy_forbidden, isolation, answer,
                                                              name):
    result = check("99.3", answer, show=False)
    assert result.verdict == "wrong" and result.score == 0
    assert f"Your code uses {name}, which this exercise does not allow" in result.feedback
    assert "mse(y_pred=[1.0, 2.0], y=[1.5, 2.0]) used " + name in result.feedback


def test_handing_over_the_forbidden_function_itself_is_refused(toy_forbidden):
    from annlib import losses
    result = check("99.3", losses.mse, show=False)
    assert result.verdict == "wrong" and "uses annlib.losses.mse" in result.feedback


def test_the_line_that_used_a_forbidden_helper_is_quoted(toy_forbidden):
    from annlib import losses

    def mse(y_pred, y):
        return losses.mse(y_pred, y).data

    assert "(in the line `return losses.mse(y_pred, y).data`)" in check(
        "99.3", mse, show=False).feedback


def test_watching_for_forbidden_code_leaves_no_profiler_behind(toy_forbidden):
    check("99.3", _value_mse, show=False)
    assert sys.getprofile() is None
    assert check("99.3", lambda p, t: sum((a - b) ** 2 for a, b in zip(p, t)) / len(t),
                 show=False).passed


# --- feedback that names the kind of a wrong answer ----------------------------------------

def test_text_where_a_number_is_expected_is_named(toy):
    result = check("99.2", "13", show=False)
    assert result.verdict == "wrong"
    assert result.feedback.startswith("Your answer is text ('13', a string), not a number")


def test_a_missing_return_is_named(toy):
    result = check("99.1", lambda x: None, show=False)
    assert "what your function returns is None, not a number" in result.feedback


def test_a_one_element_list_where_a_number_is_expected_is_named(toy):
    np = pytest.importorskip("numpy")
    result = check("99.1", lambda x: np.array([2 * x]), show=False)
    assert "is a list or array holding one number, where a single number is expected" in \
        result.feedback


def test_a_part_of_the_wrong_kind_is_named_without_values(toy):
    @exercise("99.3", "Two numbers", points=1, answer="value", parts=("z", "a"),
              hints=["-"])
    def pair():
        return ([-0.4, 1.0], 0.5)

    np = pytest.importorskip("numpy")
    result = check("99.3", (np.array([-0.4, 1.0]), np.array([0.5])), show=False)
    assert "z is right; a is a list or array holding one number" in result.feedback
    assert "Recompute" not in result.feedback


def test_float32_results_are_told_that_precision_is_the_problem(toy, monkeypatch):
    np = pytest.importorskip("numpy")
    monkeypatch.setattr(core.get_exercise("99.1"), "compare", core.close(rel=1e-12))
    result = check("99.1", lambda x: np.float32(x) * np.float32(2), show=False)
    assert result.verdict == "wrong"
    assert result.feedback.startswith("Your results are numpy float32 numbers")
