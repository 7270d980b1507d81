// inspect_tools.cpp — see inspect_tools.h.
#include "tools/inspect_tools.h"

#include <QObject>
#include <QStringList>

namespace inspecttools {

QString shapeText(const bp::Shape& s) {
    QStringList parts;
    for (int64_t d : s) parts << QString::number(d);
    return parts.join(QStringLiteral(" × "));
}

QString stageLabel(const bp::models::Stage& s) {
    return QStringLiteral("%1 · %2 · %3").arg(QString::fromStdString(s.name), QString::fromStdString(s.type), shapeText(s.shape));
}

namespace {
QString table(const std::vector<float>& v, size_t offset, int64_t k, bool greyEmpty) {
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='3' border='1'>");
    for (int64_t r = 0; r < k; ++r) {
        html += QStringLiteral("<tr>");
        for (int64_t c = 0; c < k; ++c) {
            const float x = v[offset + static_cast<size_t>(r * k + c)];
            html += QStringLiteral("<td align='right'>%1</td>").arg(greyEmpty && x == 0.0f ? QStringLiteral("·") : QString::number(x, 'f', 2));
        }
        html += QStringLiteral("</tr>");
    }
    return html + QStringLiteral("</table>");
}
}  // namespace

QString arithmeticHtml(const bp::models::ConvArithmetic& a, const QString& stageName) {
    const int64_t kk = a.kernel * a.kernel;
    QString html = QObject::tr("<b>%1, channel %2, pixel (row %3, column %4)</b><br>").arg(stageName).arg(a.channel + 1).arg(a.row).arg(a.col);
    html += QObject::tr("%1 input channel(s) × %2 × %2 window = %3 products, summed.<br>").arg(a.in_channels).arg(a.kernel).arg(a.in_channels * kk);
    html += QObject::tr("<table><tr><td>Input window (channel 1)</td><td>&nbsp;×&nbsp;</td><td>Kernel (channel 1)</td></tr><tr><td>%1</td><td></td><td>%2</td></tr></table>")
                .arg(table(a.window, 0, a.kernel, true), table(a.weights, 0, a.kernel, false));
    // Each input channel's share of the sum.
    QStringList shares;
    for (int64_t c = 0; c < a.in_channels; ++c) {
        double s = 0;
        for (int64_t i = 0; i < kk; ++i) s += double(a.window[static_cast<size_t>(c * kk + i)]) * a.weights[static_cast<size_t>(c * kk + i)];
        if (c < 8) shares << QString::number(s, 'f', 3);
    }
    if (a.in_channels > 8) shares << QObject::tr("… (%1 more)").arg(a.in_channels - 8);
    if (a.in_channels > 1) html += QObject::tr("Per input channel: %1<br>").arg(shares.join(QStringLiteral(" + ")));
    html += QObject::tr("Sum of products = <b>%1</b>").arg(a.dot, 0, 'f', 4);
    if (a.bias != 0.0) html += QObject::tr(", plus bias %1").arg(a.bias, 0, 'f', 4);
    html += QObject::tr(" → <b>%1</b><br>").arg(a.value, 0, 'f', 4);
    for (const auto& t : a.then)
        html += QStringLiteral("%1: %2<br>").arg(QString::fromStdString(t.stage), QString::fromStdString(t.formula).toHtmlEscaped());
    return html;
}

}  // namespace inspecttools
