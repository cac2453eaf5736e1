#include "Commands.h"

#include <cstdio>

namespace Aqueduct::App {

int runRunCommand(const QStringList& arguments)
{
    (void)arguments;
    std::fputs("aqueduct run: not built yet\n", stderr);
    return ExitInvalidInput;
}

} // namespace Aqueduct::App
