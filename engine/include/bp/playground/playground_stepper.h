// playground_stepper.h — the playground's current network and one mini-batch as a StepperProblem, so the
// Backprop page can step through its forward and backward pass one operation at a time.
#pragma once

#include "bp/playground/playground.h"
#include "bp/train/stepper.h"

namespace bp::playground {

/// The network of `pg` with its current weights (copied to float64: the stepper's finite-difference checks need
/// the precision) and the first `batch` training points (the config's batch size when 0), with the loss the
/// playground trains: cross-entropy over the two logits. L1/L2 are not part of it (the playground adds them to the
/// gradient, not to the loss). The parameters are named W1, b1, W2, b2, … from the input side.
/// Example: StepperSession s(stepper_problem(pg));  // s.nodes(): linear, tanh, linear, tanh, linear, cross_entropy
train::StepperProblem stepper_problem(const Playground& pg, int batch = 0);

}  // namespace bp::playground
