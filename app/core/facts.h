// facts.h — FactRegistry: the plain named values the pages publish from the signals they already emit
// (`run.test_accuracy`, `backprop.phase`, `draw.prediction`, …; the catalogue is bp::lesson's), and the actions
// and settings a page offers by name ("train.start", "backprop.example"). A lesson reads facts, runs actions and
// applies settings only through this registry: no page knows about lessons, and the lesson player knows pages
// only by these names and by the widgets' object names. GUI thread only.
#pragma once

#include <QHash>
#include <QList>
#include <QPair>
#include <QObject>
#include <QString>
#include <QVariant>
#include <functional>

class FactRegistry : public QObject {
    Q_OBJECT
public:
    using Action = std::function<void()>;
    /// Applies one setting; returns an empty string, or what is wrong with the value.
    using Setter = std::function<QString(const QString& value)>;
    /// A page's current settings as key = value pairs, in the keys its setters take.
    using Snapshot = std::function<QList<QPair<QString, QString>>()>;

    explicit FactRegistry(QObject* parent = nullptr) : QObject(parent) {}

    /// Sets a fact (a double, bool or QString; a pair is the text "a,b"); emits factChanged when the value changed.
    void set(const QString& name, const QVariant& value) {
        auto it = m_facts.find(name);
        if (it != m_facts.end() && it.value() == value && it.value().typeId() == value.typeId()) return;
        m_facts.insert(name, value);
        emit factChanged(name);
    }
    /// Forgets facts whose name starts with `prefix` (a new run clears the old run's results).
    void clear(const QString& prefix) {
        bool changed = false;
        for (auto it = m_facts.begin(); it != m_facts.end();)
            if (it.key().startsWith(prefix)) {
                it = m_facts.erase(it);
                changed = true;
            } else {
                ++it;
            }
        if (changed) emit factChanged(prefix);
    }
    bool has(const QString& name) const { return m_facts.contains(name); }
    QVariant value(const QString& name) const { return m_facts.value(name); }
    const QHash<QString, QVariant>& all() const { return m_facts; }

    void addAction(const QString& name, Action action) { m_actions.insert(name, std::move(action)); }
    bool hasAction(const QString& name) const { return m_actions.contains(name); }
    /// Runs the action; false when no page has registered it (its page has not been created yet).
    bool run(const QString& name) {
        auto it = m_actions.find(name);
        if (it == m_actions.end()) return false;
        it.value()();
        return true;
    }

    void addSetter(const QString& key, Setter setter) { m_setters.insert(key, std::move(setter)); }
    bool hasSetter(const QString& key) const { return m_setters.contains(key); }
    /// Applies a setting through the page that registered it; the error text, or empty.
    QString apply(const QString& key, const QString& value) {
        auto it = m_setters.find(key);
        if (it == m_setters.end()) return tr("no page offers the setting %1 yet").arg(key);
        return it.value()(value);
    }

    void setSnapshot(const QString& pageId, Snapshot snapshot) { m_snapshots.insert(pageId, std::move(snapshot)); }
    QList<QPair<QString, QString>> snapshot(const QString& pageId) const {
        auto it = m_snapshots.find(pageId);
        return it == m_snapshots.end() ? QList<QPair<QString, QString>>{} : it.value()();
    }

signals:
    void factChanged(const QString& name);

private:
    QHash<QString, QVariant> m_facts;
    QHash<QString, Action> m_actions;
    QHash<QString, Setter> m_setters;
    QHash<QString, Snapshot> m_snapshots;
};
