#!/usr/bin/env python3
"""Writes the lesson fixtures for tst_lesson_lint: good/ (a clean two-lesson course), broken/<name>/lesson.md
(each with ONE mistake; tst_lesson_lint asserts its file:line and message) and course-*/ (course.txt mistakes).
Run from this folder: python3 make_fixtures.py. The line numbers in tst_lesson_lint.cpp follow TEMPLATE:
the step block's extra lines start at line 19."""
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

TEMPLATE = """---
id: {id}
title: Fixture {id}
minutes: 10
objectives: Show one lint error
datasets: mnist
---

Intro prose.

## First step
Some prose.

```step
page: train
set: epochs = 1
do: train.start
check: run.finished and run.test_accuracy >= 0.9
{extra}```
"""

# name -> extra step-block lines (the first is line 19)
BLOCK = {
    "bad-key": ["hihglight: train.start"],
    "unknown-fact": ["require: check", "hint: look at the curve"],
    "unknown-widget": ["lock: train.model, train.modle"],
    "unknown-widget-highlight": ["highlight: train.strat"],
    "unknown-action": ["do: train.begin"],
    "highlight-other-page": ["highlight: backprop.graph"],
    "unknown-page": ["tab: flow"],  # replaced below: page: trian
    "unknown-tab": [],
    "bad-setting-range": ["set: lr = 50"],
    "bad-setting-text": ["set: batch_size = many"],
    "unknown-setting": ["set: learning_rate = 0.1"],
    "bad-model": ["set: model = resnet50"],
    "bad-app-setting": ["set: backprop.example = lstm"],
    "app-setting-range": ["set: draw.digit = 10000"],
    "dataset-not-listed": ["set: dataset = fashion-mnist"],
    "choice-answer": ["question: choice", "prompt: Which?", "choice: relu", "choice: sigmoid", "answer: tanh"],
    "choice-feedback": ["question: choice", "prompt: Which?", "choice: relu", "choice: sigmoid", "answer: relu",
                        "feedback: tanh => not offered"],
    "number-answer": ["question: number", "prompt: How much?", "answer: about half"],
    "pair-answer": ["question: pair", "prompt: Which pair?", "answer: 4"],
    "answer-fact-kind": ["question: number", "prompt: Which pair?", "answer: fact run.most_confused"],
    "answer-fact-unknown": ["question: pair", "prompt: Which pair?", "answer: fact run.most_confusing"],
    "question-key-without-question": ["prompt: What do you see?"],
    "question-kind": ["question: essay", "prompt: Tell me", "answer: anything"],
    "duplicate-key": ["page: draw"],
    "check-syntax": ["check: run.finished and"],  # replaces line 18 below
    "check-equals": [],
    "require-without-value": ["require: always"],
    "tolerance-not-number": ["question: number", "prompt: How much?", "answer: 0.5", "tolerance: small"],
}

FULL = {
    "id-folder": TEMPLATE.format(id="another-id", extra=""),
    "missing-image": TEMPLATE.format(id="missing-image", extra="").replace("Some prose.", "See ![the curve](curve.png) here."),
    "no-front-matter": "# A lesson\n\n## Step\nText.\n",
    "block-outside-step": TEMPLATE.format(id="block-outside-step", extra="").replace(
        "Intro prose.\n", "Intro prose.\n```step\npage: train\n```\n"),
    "two-blocks": TEMPLATE.format(id="two-blocks", extra="") + "\n```step\npage: draw\n```\n",
    "unclosed-block": TEMPLATE.format(id="unclosed-block", extra="").rstrip("`\n") + "\n",
    "bad-minutes": TEMPLATE.format(id="bad-minutes", extra="").replace("minutes: 10", "minutes: ten"),
    "bad-front-key": TEMPLATE.format(id="bad-front-key", extra="").replace("datasets: mnist", "dataset: mnist"),
    "unknown-dataset": TEMPLATE.format(id="unknown-dataset", extra="").replace("datasets: mnist", "datasets: mnist, cifar10"),
}


def tiny_png():
    raw = b"\x00\x00"  # one row: filter byte + one grey pixel
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


GOOD_1 = """---
id: 01-first
title: A first lesson
minutes: 10
objectives: Train a model
objectives: Read its accuracy
datasets: mnist, fashion-mnist
---

Train your first model and read its accuracy.
![a picture](picture.png)

## Open the training page
Look at the page.

```step
page: train
set: model = mlp
set: epochs = 1
set: train_limit = 2000
set: augment = false
lock: train.model, train.optimizer
hide: train.optimizer
highlight: train.start
do: train.start
check: run.finished and run.test_accuracy >= 0.8
require: check
hint: press Start
hint: wait for the curve
  to reach the end
notes: a presenter note
notes: a second note
```

## A question
What did your model confuse?

```step
question: pair
prompt: Which pair did your model confuse most?
answer: fact run.most_confused
feedback: 4,9 => Many models confuse 4 and 9.
```

## Prose only
Nothing to do here.
"""

GOOD_2 = """---
id: 02-second
title: A second lesson
minutes: 15
objectives: Step the backward pass
---

## Step backwards
```step
page: backprop
tab: stepper
set: backprop.example = xor
do: backprop.run_to_end
check: backprop.phase == done and backprop.max_abs_diff < 1e-6
question: choice
prompt: Which activation kept its gradient?
choice: sigmoid
choice: relu
answer: relu
feedback: sigmoid => It squashes every gradient below 0.25.
predict: true
```

## Attention
```step
page: attention
tab: gpt
set: gpt.steps = 200
set: gpt.block = modern
do: attention.gpt_start
check: gpt.val_loss <= gpt.unigram_loss - 0.5
question: number
prompt: What was the validation loss?
answer: fact gpt.val_loss
tolerance: 0.05
```
"""


def main():
    for sub in ("good", "broken", "course-missing", "course-cycle"):
        shutil.rmtree(os.path.join(HERE, sub), ignore_errors=True)
    write(os.path.join(HERE, "good", "course.txt"),
          "# a clean course\ntitle: Fixture course\nlesson: 01-first\nlesson: 02-second   requires: 01-first\n")
    write(os.path.join(HERE, "good", "01-first", "lesson.md"), GOOD_1)
    with open(os.path.join(HERE, "good", "01-first", "picture.png"), "wb") as f:
        f.write(tiny_png())
    write(os.path.join(HERE, "good", "02-second", "lesson.md"), GOOD_2)

    for name, extra in BLOCK.items():
        text = TEMPLATE.format(id=name, extra="".join(line + "\n" for line in extra))
        if name == "unknown-page":
            text = text.replace("page: train", "page: trian")
        if name == "unknown-tab":
            text = text.replace("page: train", "page: backprop\ntab: vit")
        if name == "check-syntax":
            text = text.replace("check: run.finished and run.test_accuracy >= 0.9\n", "")
        if name == "unknown-fact":
            text = text.replace("run.test_accuracy >= 0.9", "run.test_acuracy >= 0.9")
        if name == "check-equals":
            text = text.replace("run.test_accuracy >= 0.9", "run.test_accuracy = 0.9")
        write(os.path.join(HERE, "broken", name, "lesson.md"), text)
    for name, text in FULL.items():
        write(os.path.join(HERE, "broken", name, "lesson.md"), text)

    # course.txt mistakes: a missing folder (line 4), an unknown prerequisite (line 5), a lesson listed twice (line 6)
    write(os.path.join(HERE, "course-missing", "course.txt"),
          "title: Broken course\n# comment\nlesson: a\nlesson: not-there\nlesson: b   requires: a, c\nlesson: a\n")
    # a cycle: a requires b (a later lesson, line 2), b requires a (line 3)
    write(os.path.join(HERE, "course-cycle", "course.txt"),
          "title: Cyclic course\nlesson: a   requires: b\nlesson: b   requires: a\n")
    for course in ("course-missing", "course-cycle"):
        for lid in ("a", "b"):
            write(os.path.join(HERE, course, lid, "lesson.md"),
                  TEMPLATE.format(id=lid, extra=""))


if __name__ == "__main__":
    main()
