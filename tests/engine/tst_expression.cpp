// The condition / `when` expression language: grammar, precedence, types, missing fields
// and every parse error with its column (docs/expressions.md).
#include <aqueduct/Expression.h>
#include <aqueduct/Task.h>

#include <QTest>

#include <cstdlib>
#include <new>

using namespace Aqueduct;

namespace {

// Counts heap allocations on this thread while armed (proves evaluate() allocates nothing).
thread_local bool g_countAllocations = false;
thread_local long g_allocations = 0;

} // namespace

void* operator new(std::size_t size) {
    if (g_countAllocations)
        ++g_allocations;
    if (void* pointer = std::malloc(size ? size : 1))
        return pointer;
    throw std::bad_alloc();
}

void operator delete(void* pointer) noexcept {
    std::free(pointer);
}

void operator delete(void* pointer, std::size_t) noexcept {
    std::free(pointer);
}

class TestExpression : public QObject {
    Q_OBJECT

private:
    static Task sampleTask() {
        Task task;
        task.set("value", Value(std::int64_t(42)));
        task.set("ratio", Value(0.5));
        task.set("name", Value("alice"));
        task.set("kind", Value("image"));
        task.set("flag", Value(true));
        task.set("off", Value(false));
        task.set("nothing", Value(nullptr));
        task.set("payload", Value::fromBytes(std::string_view("\x01\x02\x03\x04", 4)));
        task.set("empty", Value(""));
        task.set("unicode", Value(QStringLiteral("h\u00e9llo")));
        task.set("big", Value(std::int64_t(9007199254740993LL))); // 2^53 + 1
        task.set("neg", Value(std::int64_t(-7)));
        return task;
    }

private Q_SLOTS:
    void evaluates_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("expected");

        // Literals and truthiness
        QTest::newRow("true") << "true" << true;
        QTest::newRow("false") << "false" << false;
        QTest::newRow("null") << "null" << false;
        QTest::newRow("int nonzero") << "3" << true;
        QTest::newRow("int zero") << "0" << false;
        QTest::newRow("string nonempty") << "'x'" << true;
        QTest::newRow("string empty") << "\"\"" << false;
        QTest::newRow("field int truthy") << "value" << true;
        QTest::newRow("field empty string") << "empty" << false;
        QTest::newRow("field bool false") << "off" << false;

        // Comparisons
        QTest::newRow("int ==") << "value == 42" << true;
        QTest::newRow("int !=") << "value != 42" << false;
        QTest::newRow("int <") << "value < 43" << true;
        QTest::newRow("int <=") << "value <= 42" << true;
        QTest::newRow("int >") << "value > 42" << false;
        QTest::newRow("int >=") << "value >= 42" << true;
        QTest::newRow("int vs double ==") << "value == 42.0" << true;
        QTest::newRow("int vs double <") << "value < 42.5" << true;
        QTest::newRow("double field") << "ratio == 0.5" << true;
        QTest::newRow("double vs int") << "ratio < 1" << true;
        QTest::newRow("exponent") << "value < 1e3" << true;
        QTest::newRow("large int exact") << "big == 9007199254740993" << true;
        QTest::newRow("large int vs double") << "big > 9007199254740992.0" << true;
        QTest::newRow("negative field") << "neg == -7" << true;
        QTest::newRow("negative lt") << "neg < -6.5" << true;
        QTest::newRow("unary minus field") << "-neg == 7" << true;
        QTest::newRow("double minus") << "- -value == 42" << true;
        QTest::newRow("string ==") << "name == \"alice\"" << true;
        QTest::newRow("string single quotes") << "name == 'alice'" << true;
        QTest::newRow("string !=") << "name != 'bob'" << true;
        QTest::newRow("string <") << "name < 'bob'" << true;
        QTest::newRow("string >=") << "name >= 'alice'" << true;
        QTest::newRow("bool ==") << "flag == true" << true;
        QTest::newRow("bool != ") << "off != true" << true;
        QTest::newRow("null == null") << "nothing == null" << true;
        QTest::newRow("bytes == string") << "payload == '\\u0001\\u0002\\u0003\\u0004'" << true;
        QTest::newRow("escapes") << "'a\\tb\\n\\'\\\"\\\\' == \"a\\tb\\n'\\\"\\\\\"" << true;
        QTest::newRow("unicode literal") << "unicode == 'h\u00e9llo'" << true;

        // Different types: == and ordering false, != true
        QTest::newRow("int == string") << "value == '42'" << false;
        QTest::newRow("int != string") << "value != '42'" << true;
        QTest::newRow("int < string") << "value < 'z'" << false;
        QTest::newRow("int > string") << "value > 'a'" << false;
        QTest::newRow("bool == int") << "flag == 1" << false;
        QTest::newRow("bool < bool") << "off < flag" << false;
        QTest::newRow("null < 1") << "nothing < 1" << false;

        // Missing fields are null
        QTest::newRow("missing == null") << "missing == null" << true;
        QTest::newRow("missing == 0") << "missing == 0" << false;
        QTest::newRow("missing != 0") << "missing != 0" << true;
        QTest::newRow("missing > 0") << "missing > 0" << false;
        QTest::newRow("missing <= 0") << "missing <= 0" << false;
        QTest::newRow("missing truthy") << "missing" << false;
        QTest::newRow("not missing") << "!missing" << true;
        QTest::newRow("minus missing") << "-missing == null" << true;

        // has / len
        QTest::newRow("has present") << "has(value)" << true;
        QTest::newRow("has null field") << "has(nothing)" << true;
        QTest::newRow("has missing") << "has(missing)" << false;
        QTest::newRow("has spaced") << "has ( value )" << true;
        QTest::newRow("len string") << "len(name) == 5" << true;
        QTest::newRow("len counts characters") << "len(unicode) == 5" << true;
        QTest::newRow("len bytes") << "len(payload) == 4" << true;
        QTest::newRow("len empty") << "len(empty) == 0" << true;
        QTest::newRow("len missing is null") << "len(missing) == null" << true;
        QTest::newRow("len of int is null") << "len(value) == null" << true;
        QTest::newRow("len compare missing") << "len(missing) > 0" << false;
        QTest::newRow("field named has") << "has == null" << true;

        // in
        QTest::newRow("in strings") << "kind in ['image', 'video']" << true;
        QTest::newRow("not in") << "kind in ['video', 'audio']" << false;
        QTest::newRow("in mixed") << "value in [1, 2, \"a\", 42]" << true;
        QTest::newRow("in double") << "value in [42.0]" << true;
        QTest::newRow("in negative") << "neg in [-7]" << true;
        QTest::newRow("in empty") << "value in []" << false;
        QTest::newRow("in null") << "missing in [null]" << true;
        QTest::newRow("in bool") << "flag in [false, true]" << true;
        QTest::newRow("in type mismatch") << "value in ['42']" << false;

        // Logic and precedence
        QTest::newRow("and") << "value == 42 && name == 'alice'" << true;
        QTest::newRow("and false") << "value == 42 && name == 'bob'" << false;
        QTest::newRow("or") << "value == 1 || name == 'alice'" << true;
        QTest::newRow("or false") << "value == 1 || name == 'bob'" << false;
        QTest::newRow("and binds tighter than or") << "true || false && false" << true;
        QTest::newRow("and binds tighter than or 2") << "false && false || true" << true;
        QTest::newRow("parentheses") << "(true || false) && false" << false;
        QTest::newRow("not") << "!flag" << false;
        QTest::newRow("not not") << "!!flag" << true;
        QTest::newRow("not binds looser than comparison") << "!value == 1" << true;
        QTest::newRow("not binds tighter than and") << "!off && flag" << true;
        QTest::newRow("not in") << "!(kind in ['video'])" << true;
        QTest::newRow("not has") << "!has(missing) && has(value)" << true;
        QTest::newRow("long chain") << "false || false || false || value == 42" << true;
        QTest::newRow("nested parens") << "((((value)))) == 42" << true;
        QTest::newRow("whitespace") << "  value\t==\n42  " << true;
        QTest::newRow("empty is always true") << "" << true;
        QTest::newRow("blank is always true") << "   " << true;
        QTest::newRow("parenthesised comparison compares bools") << "(value == 42) == true" << true;
    }

    void evaluates() {
        QFETCH(QString, text);
        QFETCH(bool, expected);
        Expression::ParseError error;
        const Expression expression = Expression::parse(text, &error);
        QVERIFY2(expression.isValid(),
                 qPrintable(QStringLiteral("column %1: %2").arg(error.column).arg(error.message)));
        QCOMPARE(expression.evaluate(sampleTask()), expected);
    }

    void errors_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");

        QTest::newRow("missing close paren of has")
            << "has(abc x" << 9 << "expected ')' after argument";
        QTest::newRow("has without field") << "has(1)" << 5 << "expected a field name inside has()";
        QTest::newRow("len without field") << "len()" << 5 << "expected a field name inside len()";
        QTest::newRow("unclosed paren")
            << "(a == 1" << 8 << "expected ')' to close the '(' at column 1";
        QTest::newRow("dangling operator")
            << "a ==" << 5 << "expected a value, a field name or '('";
        QTest::newRow("dangling and") << "a && " << 6 << "expected a value, a field name or '('";
        QTest::newRow("leading operator") << "== 1" << 1 << "expected a value, a field name or '('";
        QTest::newRow("single =") << "a = 1" << 3 << "expected '=='";
        QTest::newRow("single &") << "a & b" << 3 << "expected '&&'";
        QTest::newRow("single |") << "a | b" << 3 << "expected '||'";
        QTest::newRow("unexpected character") << "a == #" << 6 << "unexpected character '#'";
        QTest::newRow("unterminated string") << "a == 'abc" << 6 << "unterminated string";
        QTest::newRow("unterminated double") << "a == \"abc" << 6 << "unterminated string";
        QTest::newRow("bad escape") << "a == 'x\\q'" << 8 << "unknown escape '\\q'";
        QTest::newRow("bad unicode escape") << "a == '\\u12'" << 7 << "expected 4 hex digits";
        QTest::newRow("digit after dot") << "a == 1." << 8 << "expected a digit after '.'";
        QTest::newRow("exponent digits") << "a == 1e" << 8 << "expected a digit in the exponent";
        QTest::newRow("number then letters")
            << "a == 12abc" << 8 << "expected an operator after the number";
        QTest::newRow("trailing token")
            << "a == 1 b" << 8 << "expected an operator or the end of the expression, got 'b'";
        QTest::newRow("trailing paren")
            << "a == 1)" << 7 << "expected an operator or the end of the expression, got ')'";
        QTest::newRow("chained comparison") << "1 < a < 3" << 7 << "comparisons do not chain";
        QTest::newRow("chained in") << "a == 1 in [1]" << 8 << "comparisons do not chain";
        QTest::newRow("in without list") << "a in 1" << 6 << "expected '[' after 'in'";
        QTest::newRow("in with field in list")
            << "a in [b]" << 7
            << "expected a value (number, string, true, false or null) in the list";
        QTest::newRow("in list unclosed")
            << "a in [1, 2" << 11 << "expected ',' or ']' in the list";
        QTest::newRow("in list trailing comma") << "a in [1,]" << 9 << "expected a value";
        QTest::newRow("in list minus string")
            << "a in [-'x']" << 8 << "expected a number after '-'";
        QTest::newRow("empty parens") << "()" << 2 << "expected a value, a field name or '('";
        QTest::newRow("keyword as has arg")
            << "has(true)" << 5 << "expected a field name inside has()";
        QTest::newRow("too deep") << QString(70, QLatin1Char('(')) + QStringLiteral("a") +
                                         QString(70, QLatin1Char(')'))
                                  << 65 << "nested too deeply";
        QTest::newRow("non-ascii identifier")
            << "\u00e9t\u00e9 == 1" << 1 << "unexpected character";
        QTest::newRow("column after unicode") << "'\u00e9' == #" << 8 << "unexpected character '#'";
    }

    void errors() {
        QFETCH(QString, text);
        QFETCH(int, column);
        QFETCH(QString, message);
        Expression::ParseError error;
        const Expression expression = Expression::parse(text, &error);
        QVERIFY(!expression.isValid());
        QVERIFY2(error.message.contains(message), qPrintable(error.message));
        QCOMPARE(error.column, column);
        // An invalid expression never holds.
        QCOMPARE(expression.evaluate(sampleTask()), false);
        QCOMPARE(expression.isAlwaysTrue(), false);
    }

    void emptyIsAlwaysTrue() {
        const Expression empty = Expression::parse(QString());
        QVERIFY(empty.isValid());
        QVERIFY(empty.isAlwaysTrue());
        QVERIFY(empty.evaluate(Task()));
        const Expression defaultConstructed;
        QVERIFY(defaultConstructed.isValid());
        QVERIFY(defaultConstructed.evaluate(Task()));
        QVERIFY(!Expression::parse(QStringLiteral("x")).isAlwaysTrue());
    }

    void copiesAndMovesKeepTheProgram() {
        Expression original =
            Expression::parse(QStringLiteral("name in ['alice', 'bob'] && value > 40"));
        QVERIFY(original.isValid());
        const Expression copy = original; // deep copy: string literals live in the copy's pool
        Expression assigned;
        assigned = copy;
        const Expression moved = std::move(original);
        const Task task = sampleTask();
        QVERIFY(copy.evaluate(task));
        QVERIFY(assigned.evaluate(task));
        QVERIFY(moved.evaluate(task));
        QCOMPARE(copy.text(), QStringLiteral("name in ['alice', 'bob'] && value > 40"));

        const Expression invalid = Expression::parse(QStringLiteral("a =="));
        const Expression invalidCopy = invalid;
        QVERIFY(!invalidCopy.isValid());
    }

    void evaluationDoesNotAllocate() {
        const Expression expression = Expression::parse(QStringLiteral(
            "(kind in ['image', 'video'] || len(payload) > 2) && name >= 'a' && !has(missing) "
            "&& value == 42.0 && -neg == 7 && missing == null"));
        QVERIFY(expression.isValid());
        const Task task = sampleTask();
        bool result = false;
        g_allocations = 0;
        g_countAllocations = true;
        for (int i = 0; i < 1000; ++i)
            result = expression.evaluate(task);
        g_countAllocations = false;
        QVERIFY(result);
        QCOMPARE(g_allocations, 0L);
    }

    void fieldsAreReadLive() {
        const Expression expression = Expression::parse(QStringLiteral("status == 'ok'"));
        Task task;
        QVERIFY(!expression.evaluate(task));
        task.set("status", Value("ok"));
        QVERIFY(expression.evaluate(task));
        task.set("status", Value("failed"));
        QVERIFY(!expression.evaluate(task));
    }

    void hugeNumbers() {
        // Integers beyond 64 bits become doubles rather than failing.
        const Expression expression =
            Expression::parse(QStringLiteral("value < 100000000000000000000000"));
        QVERIFY(expression.isValid());
        QVERIFY(expression.evaluate(sampleTask()));
        Expression::ParseError error;
        QVERIFY(!Expression::parse(QStringLiteral("value < 1e999"), &error).isValid());
        QVERIFY(error.message.contains(QStringLiteral("out of range")));
        QCOMPARE(error.column, 9);
    }
};

QTEST_GUILESS_MAIN(TestExpression)
#include "tst_expression.moc"
