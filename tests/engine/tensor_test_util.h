// tensor_test_util.h — comparing a tensor with expected values in tests: shape first, then every element,
// and on failure the first differing pair and the largest difference. Test-only.
#pragma once

#include <QtTest>

#include <cmath>
#include <vector>

#include "bp/tensor.h"

namespace bp_test {

/// Compares every element within tol, printing the first differing pair and the max difference.
inline void expect_values(const bp::Tensor& t, const bp::Shape& shape, const std::vector<double>& expected, double tol) {
    QCOMPARE(QString::fromStdString(bp::shape_str(t.shape())), QString::fromStdString(bp::shape_str(shape)));
    const std::vector<double> got = t.to_vector();
    QCOMPARE(got.size(), expected.size());
    double max_diff = 0;
    size_t first = got.size();
    for (size_t i = 0; i < got.size(); ++i) {
        const double d = std::abs(got[i] - expected[i]);
        if (!(d <= tol) && first == got.size()) first = i;
        if (!(d <= max_diff)) max_diff = d;
    }
    QVERIFY2(first == got.size(),
             qPrintable(QString("element %1: got %2, expected %3 (max difference %4)")
                            .arg(first)
                            .arg(first < got.size() ? got[first] : 0.0, 0, 'g', 17)
                            .arg(first < got.size() ? expected[first] : 0.0, 0, 'g', 17)
                            .arg(max_diff, 0, 'g', 17)));
}

}  // namespace bp_test
