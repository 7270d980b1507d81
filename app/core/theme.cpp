// theme.cpp — palettes in code (the colours a palette can carry), the rest in resources/styles/*.qss.
#include "core/theme.h"

#include <QApplication>
#include <QFile>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

// At global scope: Q_INIT_RESOURCE declares a function, and the qrc is linked into a static library.
static void initResources() { Q_INIT_RESOURCE(resources); }

namespace {

QFont& storedBase() {
    static QFont base;
    return base;
}
bool& haveBase() {
    static bool have = false;
    return have;
}

QPalette lightPalette(bool highContrast) {
    QPalette p;
    const QColor text = highContrast ? QColor(Qt::black) : QColor(27, 31, 36);
    p.setColor(QPalette::Window, QColor(246, 247, 249));
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(238, 241, 245));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(236, 239, 243));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Highlight, QColor(47, 109, 181));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, QColor(255, 255, 225));
    p.setColor(QPalette::ToolTipText, Qt::black);
    p.setColor(QPalette::PlaceholderText, QColor(110, 115, 122));
    p.setColor(QPalette::Link, QColor(20, 90, 180));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(150, 154, 160));
    return p;
}

QPalette darkPalette(bool highContrast) {
    QPalette p;
    const QColor text = highContrast ? QColor(Qt::white) : QColor(230, 233, 237);
    p.setColor(QPalette::Window, QColor(38, 42, 48));
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, QColor(28, 31, 36));
    p.setColor(QPalette::AlternateBase, QColor(44, 48, 55));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(52, 57, 65));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Highlight, QColor(61, 127, 208));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, QColor(52, 57, 65));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(150, 155, 162));
    p.setColor(QPalette::Link, QColor(120, 180, 255));
    p.setColor(QPalette::BrightText, Qt::white);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(120, 125, 132));
    return p;
}

QString readStyle(const QString& name) {
    QFile f(QStringLiteral(":/styles/%1.qss").arg(name));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

}  // namespace

namespace theme {

QFont baseFont() { return haveBase() ? storedBase() : QApplication::font(); }

void applyToApplication(const Appearance& a) {
    initResources();
    if (!haveBase()) {
        storedBase() = QApplication::font();
        haveBase() = true;
    }
    auto* app = qobject_cast<QApplication*>(QCoreApplication::instance());
    if (!app) return;
    if (QApplication::style()->name().compare(QStringLiteral("fusion"), Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(a.dark ? darkPalette(a.presentation) : lightPalette(a.presentation));
    QFont f = storedBase();
    const double pt = f.pointSizeF() > 0 ? f.pointSizeF() : 10.5;
    f.setPointSizeF(pt * fontScale(a));
    QApplication::setFont(f);
    QString sheet = readStyle(a.dark ? QStringLiteral("dark") : QStringLiteral("light"));
    if (a.presentation) sheet += readStyle(QStringLiteral("presentation"));
    // Menus, headers and the status bar keep a per-class platform font that setFont does not reach.
    sheet += QStringLiteral("\nQMenuBar, QMenu, QHeaderView::section, QStatusBar QLabel, QProgressBar, QToolTip "
                            "{ font-size: %1pt; }\n")
                 .arg(f.pointSizeF(), 0, 'f', 1);
    app->setStyleSheet(sheet);
}

}  // namespace theme
