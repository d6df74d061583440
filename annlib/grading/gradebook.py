"""Grade a whole class: ``python -m annlib.grading.gradebook CLASS_DIR --out RESULTS_DIR``.

``CLASS_DIR`` holds one folder per learner, each with that learner's notebooks
(``CLASS_DIR/ada/01_neurons.ipynb``, ...). Every learner's folder is graded in class
mode (``annlib.grading.classmode``: answers checked outside the notebook's process, on
hidden cases too) and the results are written to ``RESULTS_DIR``:

* ``gradebook.csv``: one row per learner, one column per exercise (its points), then
  the total and the maximum;
* ``feedback/LEARNER.txt``: that learner's score table and each exercise's full feedback.

Submissions are only read, never written; ``RESULTS_DIR`` must not be inside
``CLASS_DIR``. Exit status: 0 when grading ran, 2 for a bad path.
"""

import argparse
import csv
import sys
from pathlib import Path

from . import classmode
from .__main__ import GradingError, table
from .core import exercises


def learners(class_dir):
    """{learner: folder} for each sub-folder of `class_dir` that holds notebooks."""
    folder = Path(class_dir)
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder of learners' folders")
    found = {p.name: p for p in sorted(folder.iterdir())
             if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb"))}
    if not found:
        raise GradingError(f"no learner's folder with notebooks (.ipynb) in {folder}: "
                           f"expected {folder}/LEARNER/NN_name.ipynb")
    return found


def feedback_text(learner, report):
    """A learner's feedback file: the score table, then every exercise's whole feedback."""
    lines = [f"Feedback for {learner}", "", table(report), "", "Feedback in full", ""]
    for row in report["exercises"]:
        lines.append(f"{row['exercise']} {row['title']}: {row['score']}/{row['max_score']} "
                     f"({row['verdict']})")
        lines.extend("    " + line for line in str(row["feedback"]).splitlines())
        lines.append("")
    return "\n".join(lines)


def grade_class(class_dir, out_dir, timeout=120, log=print):
    """Grade every learner; write gradebook.csv and feedback/; return {learner: report}."""
    class_dir, out_dir = Path(class_dir).resolve(), Path(out_dir).resolve()
    if out_dir == class_dir or class_dir in out_dir.parents:
        raise GradingError(f"the results folder {out_dir} must be outside the class folder "
                           f"{class_dir}: grading never writes next to submissions")
    folders = learners(class_dir)
    ids = [info.id for info in exercises()]
    reports = {}
    for learner, folder in folders.items():
        log(f"grading {learner} ...")
        reports[learner] = classmode.grade([str(folder)], timeout)
    (out_dir / "feedback").mkdir(parents=True, exist_ok=True)
    with open(out_dir / "gradebook.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["learner", *ids, "total", "max"])
        for learner, report in reports.items():
            scores = {row["exercise"]: row["score"] for row in report["exercises"]}
            total = sum(scores.get(i, 0) for i in ids)
            maximum = sum(info.points for info in exercises())
            writer.writerow([learner, *[scores.get(i, 0) for i in ids], total, maximum])
    for learner, report in reports.items():
        (out_dir / "feedback" / f"{learner}.txt").write_text(
            feedback_text(learner, report) + "\n", encoding="utf-8")
    return reports


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m annlib.grading.gradebook",
        description="Grade every learner's folder in class mode; write a gradebook CSV "
                    "and one feedback file per learner.")
    parser.add_argument("class_dir", help="a folder holding one folder per learner")
    parser.add_argument("--out", required=True, help="where gradebook.csv and feedback/ go")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds a notebook's cells may run in all (default 120)")
    args = parser.parse_args(argv)
    try:
        reports = grade_class(args.class_dir, args.out, args.timeout)
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"graded {len(reports)} learners: {Path(args.out) / 'gradebook.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
