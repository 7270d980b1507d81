// epoch_table.cpp — see epoch_table.h.
#include "panels/epoch_table.h"

#include <QHeaderView>
#include <cmath>

#include "tools/run_text.h"

namespace {

QTableWidgetItem* numberItem(const QString& text, double value) {
    auto* item = new QTableWidgetItem(text);
    item->setData(Qt::UserRole, value);  // the raw number, for code and tests; the text is for people
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

}  // namespace

EpochTable::EpochTable(QWidget* parent) : QTableWidget(0, 6, parent) {
    setObjectName(QStringLiteral("train.epochs_table"));
    setHorizontalHeaderLabels({tr("Epoch"), tr("Train loss"), tr("Train acc."), tr("Test loss"), tr("Test acc."), tr("Time")});
    horizontalHeaderItem(2)->setToolTip(tr("Accuracy on the training images during the epoch"));
    horizontalHeaderItem(4)->setToolTip(tr("Accuracy on test images the network never trained on"));
    horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    verticalHeader()->hide();
    setSelectionMode(QAbstractItemView::NoSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setAlternatingRowColors(true);
    setCompact(false);
    setToolTip(tr("Test accuracy is measured on images the network never trained on."));
}

void EpochTable::addEpoch(const bp::train::EpochEvent& e) {
    const int row = rowCount();
    insertRow(row);
    setItem(row, 0, numberItem(QString::number(e.epoch + 1), e.epoch + 1));
    setItem(row, 1, numberItem(QString::number(e.train_loss, 'f', 4), e.train_loss));
    setItem(row, 2, numberItem(runtext::percent(e.train_accuracy), e.train_accuracy));
    if (e.evaluated) {
        setItem(row, 3, numberItem(QString::number(e.test_loss, 'f', 4), e.test_loss));
        setItem(row, 4, numberItem(runtext::percent(e.test_accuracy), e.test_accuracy));
    } else {
        setItem(row, 3, numberItem(tr("–"), std::nan("")));
        setItem(row, 4, numberItem(tr("–"), std::nan("")));
    }
    setItem(row, 5, numberItem(runtext::seconds(e.epoch_seconds), e.epoch_seconds));
    scrollToBottom();
}

double EpochTable::lastTestAccuracy() const {
    if (rowCount() == 0) return std::nan("");
    return item(rowCount() - 1, 4)->data(Qt::UserRole).toDouble();
}

void EpochTable::setCompact(bool compact) {
    setMinimumHeight(compact ? 90 : 120);
    setMaximumHeight(compact ? 120 : 170);
}
