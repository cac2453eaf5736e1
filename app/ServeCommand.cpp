#include "Commands.h"

#include <cstdio>

namespace Aqueduct::App {

int runServeCommand(const QStringList& arguments)
{
    (void)arguments;
    std::fputs("aqueduct serve: not built yet\n", stderr);
    return ExitInvalidInput;
}

} // namespace Aqueduct::App
